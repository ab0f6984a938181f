import type { MethodName, ParsedArgsOf } from '../shared/contract';
import { parseSettingValue } from './attribution/config';
import { keywordOf } from './attribution/normalize';

// Input checks of job-lane methods that need no database. CoreHost runs them after the contract's
// schema and before a job exists, so a rejected value is an error for its field and never a failed
// job in the jobs panel. The handlers check the same again: they also run without the host (tests, the demo builder).

type Precheck<M extends MethodName> = (args: ParsedArgsOf<M>) => void;

export const prechecks: { [M in MethodName]?: Precheck<M> } = {
  'settings.set': ({ key, value }) => {
    parseSettingValue(key, value);
  },
  'keywords.add': ({ keyword }) => {
    keywordOf(keyword);
  },
  'keywords.remove': ({ keyword }) => {
    keywordOf(keyword);
  },
};
