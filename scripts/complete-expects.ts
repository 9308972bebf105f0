// npm run complete-expects -- FILE...: gives every step of a golden trace an `expect` that says
// what the step must do. Keys a step already expects stay as written; missing ones are filled
// from the replay: `ret` (or `blocked`), `state` (the objects the step changed, and those its
// event names), `woke`, the oops' reason in place of a bare `true`, and for an access `attempts`,
// `map` and `phys`; `minor` when a dax_device was made. `--log` adds the printk lines too.
// Comment and blank lines are kept. A trace that diverges or has a log error is left alone.
import { readFileSync, writeFileSync } from 'node:fs';
import { serialiseStep, splitLines, type JsonObject, type Step } from '../src/log.ts';
import { Replayer, type StepResult } from '../src/replay.ts';
import { stringify } from '../src/json.ts';

/** The handles an event names (the objects a reader of the step looks at). */
function named(step: Step): string[] {
  const e = step.input['event'] as JsonObject;
  const out: string[] = [];
  for (const k of ['dax', 'parent', 'dev', 'fd', 'vma'] as const) {
    const v = e[k];
    if (typeof v !== 'string') continue;
    if (k === 'dev' && e['type'] === 'file.open') continue; // a kernel name, not a handle
    out.push(v.startsWith('/dev/') ? v.slice(5) : v);
  }
  return out;
}

function completed(r: StepResult, stateOf: (label: string) => string | null, withLog: boolean): JsonObject {
  const have = (r.step.input['expect'] ?? {}) as JsonObject;
  const e: JsonObject = { ...have };
  const o = r.out;
  if (!('ret' in e) && !('blocked' in e)) {
    if (o.blocked) e['blocked'] = true;
    else if (o.ret !== undefined) e['ret'] = o.ret;
  }
  // The objects the step changed, and those its event names, join what the step expects.
  const s = { ...o.state, ...((e['state'] ?? {}) as Record<string, string | null>) };
  for (const h of named(r.step)) if (!Object.hasOwn(s, h)) s[h] = stateOf(h);
  e['state'] = s;
  if (!('warn' in e)) e['warn'] = o.warn ?? [];
  if (o.woke !== undefined && !('woke' in e)) e['woke'] = JSON.parse(stringify(o.woke));
  if (o.oops !== undefined && (e['oops'] === undefined || e['oops'] === true)) e['oops'] = o.oops;
  if (o.attempts !== undefined && !('attempts' in e)) e['attempts'] = o.attempts;
  if (o.map !== undefined && !('map' in e)) e['map'] = o.map;
  if (o.phys !== undefined && !('phys' in e)) e['phys'] = o.phys;
  if (o.minor !== undefined && !('minor' in e)) e['minor'] = o.minor;
  if (withLog && o.log !== undefined && !('log' in e)) e['log'] = o.log;
  return e;
}

export function completeTrace(text: string, file: string, withLog = false): string {
  const replayer = new Replayer(file);
  const out: string[] = [];
  splitLines(text, (line, n) => {
    const r = replayer.feed(line, n);
    if (r === undefined) return void out.push(line);
    if (r.diverged !== undefined) throw new Error(`${file}:${n}: diverges: ${JSON.stringify(r.diverged)}`);
    const stateOf = (h: string) => replayer.model!.objects.stateOf(h);
    out.push(serialiseStep(r.step.input, completed(r, stateOf, withLog)));
  });
  replayer.end();
  return out.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const withLog = args.includes('--log');
  for (const f of args.filter((a) => a !== '--log')) {
    const text = readFileSync(f, 'utf8');
    const next = completeTrace(text, f, withLog);
    if (next !== text) {
      writeFileSync(f, next);
      console.log(`completed ${f}`);
    }
  }
}
