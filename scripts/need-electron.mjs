// Guard for the scripts that need Electron's binary (`npm run dev`, `npm run dist`): where it is not
// installed, say what is missing and how to get it instead of failing deep inside electron-vite or
// electron-builder. Usage: node scripts/need-electron.mjs <script name>
import { electronBinary } from './start.mjs';

const script = process.argv[2] ?? 'this script';
if (!electronBinary()) {
  process.stderr.write(
    `npm run ${script} needs Electron's binary, which is not installed here (its download failed or was skipped during npm install). ` +
      'Run `npm run postinstall` where the Electron download is reachable, then try again; ' +
      '`npm start` opens browser mode without it.\n',
  );
  process.exit(1);
}
