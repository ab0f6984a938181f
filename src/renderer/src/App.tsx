import { useEffect, useState } from 'react';
import { createClient, detectTransport } from './api/client';
import type { PhoneNumber } from '../../shared/contract';

const client = createClient(detectTransport());

// Placeholder shell until the dashboard issue lands.
export function App() {
  const [phones, setPhones] = useState<PhoneNumber[] | null>(null);
  useEffect(() => {
    client.api['phones.list']({}).then(setPhones, () => setPhones([]));
  }, []);
  return (
    <main>
      <h1>Insights Desktop</h1>
      <p>{phones === null ? 'Loading…' : `${phones.length} business numbers`}</p>
    </main>
  );
}
