// npm run docs: writes docs/machines.md from the machine definitions (src/machines_doc.ts).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machinesDoc } from '../src/machines_doc.ts';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'machines.md');
writeFileSync(file, machinesDoc());
process.stdout.write(`wrote ${file}\n`);
