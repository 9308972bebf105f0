// The page tables of the address space (v4.12 core mm, kernel-semantics.md §5), as far as the
// fault path can see them. Levels are real tables: the PUD level maps 1 GiB slots; a PUD slot
// is empty, a huge leaf, or a PMD table of 512 slots; a PMD slot is empty, a huge leaf, or a PTE
// table of 512 slots; a PTE slot is empty or a leaf. A table keeps its present slots in order
// (state.ts Slots): a lookup is a binary search.
//
// Faults allocate tables on the way down (pmd_alloc after the PUD stage; a PTE table when a PTE
// is inserted). Zapping removes leaves and never frees a table, so a zapped 2 MiB entry leaves
// its PUD slot pointing at the PMD table (the next fault skips the PUD attempt), while a zapped
// 1 GiB entry leaves its slot empty. munmap of a whole vma frees the tables that map nothing
// another vma covers (free_pgtables; daxlog ruling 11).
//
// A huge entry installed by a read fault is not writable (insert_pfn_pmd / insert_pfn_pud make
// it writable only for a write fault), so a store to it faults again (daxlog ruling 12); a PTE
// is always writable (device DAX asks for no write notification, so vm_page_prot allows it).
import type { FaultSize } from './events.ts';
import type { Kernel } from './kernel.ts';
import type { ObjId } from './records.ts';
import type { Leaf, PmdTable, PteTable, PudSlot, Slots } from './state.ts';
import { big, hex } from './u64.ts';

export const BYTES: Record<FaultSize, bigint> = { PTE: 1n << 12n, PMD: 1n << 21n, PUD: 1n << 30n };
const SIZE_N: Record<FaultSize, number> = { PTE: 2 ** 12, PMD: 2 ** 21, PUD: 2 ** 30 };

const isLeaf = (x: PudSlot | Leaf | PteTable | undefined): x is Leaf => x !== undefined && 'size' in x;

/** The page number of an address. Addresses stay below 2^47, so page numbers are exact doubles. */
export const pageOf = (addr: bigint): number => Number(addr >> 12n);
const pudSlot = (page: number) => Math.floor(page / 262144);
const pmdSlot = (page: number) => Math.floor(page / 512) % 512;
const pteSlot = (page: number) => page % 512;

// A leaf's physical address as a double, for the access path, kept on the leaf under a symbol
// (JSON, the hash and copies do not see it; leaves are never changed, only replaced). install()
// makes each leaf with it; a leaf read back from JSON gets it on first use. No bigint and no
// object of its own: a long log remaps and makes leaves by the hundred thousand, each garbage in
// the old generation once its vma is unmapped. A leaf's base needs no such field: leaves are
// aligned to their size, so an address's offset into its leaf is the address modulo the size.
const PHYS_N = Symbol('physN');
type Decoded = Leaf & { [PHYS_N]?: number };
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** The leaf's base address (exact: user addresses stay below 2^47). */
export function leafBaseN(l: Leaf): number {
  return parseInt(l.base, 16);
}

/** The leaf's physical address when a double holds it exactly, else -1 (then read leaf.phys). */
export function leafPhysN(l: Leaf): number {
  const known = (l as Decoded)[PHYS_N];
  if (known !== undefined) return known;
  const p = physN(big(l.phys));
  if (Object.isExtensible(l)) (l as Decoded)[PHYS_N] = p;
  return p;
}

function physN(phys: bigint): number {
  return phys <= MAX_EXACT ? Number(phys) : -1;
}

/** How far addr (a double) lies into the leaf that maps it. */
export function intoLeaf(l: Leaf, addrN: number): number {
  return addrN % SIZE_N[l.size];
}

// ---- slot tables ----

/** Where slot i is, or would go, in t.i. */
function find<T>(t: Slots<T>, i: number): number {
  const a = t.i;
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m]! < i) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function get<T>(t: Slots<T>, i: number): T | undefined {
  const j = find(t, i);
  return t.i[j] === i ? t.e[j] : undefined;
}

/** A writable copy of t (its index and entry lists copied too, when shared). */
function own<T>(k: Kernel, t: Slots<T>): Slots<T> {
  const w = k.own(t);
  w.i = k.own(w.i);
  w.e = k.own(w.e);
  return w;
}

function set<T>(w: Slots<T>, i: number, v: T): void {
  const j = find(w, i);
  if (w.i[j] === i) w.e[j] = v;
  else {
    w.i.splice(j, 0, i);
    w.e.splice(j, 0, v);
  }
}

function del<T>(w: Slots<T>, i: number): void {
  const j = find(w, i);
  if (w.i[j] !== i) return;
  w.i.splice(j, 1);
  w.e.splice(j, 1);
}

const empty = <T>(): Slots<T> => ({ i: [], e: [] });

// ---- the levels ----

/** The leaf that maps the page, if any. */
export function leafAt(k: Kernel, page: number): Leaf | undefined {
  const a = get(k.s.mm.pud, pudSlot(page));
  if (a === undefined || isLeaf(a)) return a;
  const b = get(a.pmd, pmdSlot(page));
  if (b === undefined || isLeaf(b)) return b;
  return get(b.pte, pteSlot(page));
}

/** pud_none / pmd_none for the slot that covers the page. */
export function slotEmpty(k: Kernel, level: 'PUD' | 'PMD', page: number): boolean {
  const a = get(k.s.mm.pud, pudSlot(page));
  if (level === 'PUD') return a === undefined;
  return a === undefined || (!isLeaf(a) && get(a.pmd, pmdSlot(page)) === undefined);
}

/** The PUD level, writable. */
function pudW(k: Kernel): Slots<PudSlot> {
  const mm = k.wf('mm');
  return (mm.pud = own(k, mm.pud));
}

/** The PMD table in PUD slot u, writable (it must be a table). */
function pmdW(k: Kernel, u: number): Slots<Leaf | PteTable> {
  const pud = pudW(k);
  const t = k.own(get(pud, u) as PmdTable);
  set(pud, u, t);
  return (t.pmd = own(k, t.pmd));
}

/** pmd_alloc: an empty PUD slot gets a PMD table. */
export function allocPmdTable(k: Kernel, page: number): void {
  const u = pudSlot(page);
  if (get(k.s.mm.pud, u) === undefined) set(pudW(k), u, { pmd: empty<Leaf | PteTable>() });
}

/**
 * Installs the leaf of `size` covering addr, making the tables above it. Whatever held the slot
 * is replaced (set_pmd_at / set_pud_at overwrite; a PTE slot is only filled when empty by the
 * caller), with everything under it.
 */
export function install(k: Kernel, size: FaultSize, addr: bigint, phys: bigint, vma: ObjId, write: boolean): void {
  const page = pageOf(addr);
  const u = pudSlot(page);
  const base = addr & ~(BYTES[size] - 1n);
  // The leaf is made with its physical address as a double in place: added later, it costs a
  // property array and a hidden-class change per leaf.
  const leaf = { size, base: hex(base), phys: hex(phys), vma, write: size === 'PTE' || write, [PHYS_N]: physN(phys) } as Leaf;
  if (size === 'PUD') {
    set(pudW(k), u, leaf);
    return;
  }
  const a = get(k.s.mm.pud, u);
  if (a === undefined || isLeaf(a)) set(pudW(k), u, { pmd: empty<Leaf | PteTable>() });
  const m = pmdSlot(page);
  const pmd = pmdW(k, u);
  if (size === 'PMD') {
    set(pmd, m, leaf);
    return;
  }
  const b = get(pmd, m);
  const pte = b === undefined || isLeaf(b) ? { pte: empty<Leaf>() } : k.own(b);
  set(pmd, m, pte);
  pte.pte = own(k, pte.pte);
  set(pte.pte, pteSlot(page), leaf);
}

/**
 * Zaps the leaves of vma that meet [start, end); tables stay. A huge leaf that only partly
 * overlaps the range goes whole: zap_pmd_range / zap_pud_range split it, and splitting a DAX
 * entry clears it (as __split_vma does at a new vma boundary). True when a leaf went.
 */
export function zapVma(k: Kernel, vma: ObjId, start: bigint, end: bigint): boolean {
  // User addresses stay below 2^47: doubles hold them exactly.
  const startN = Number(start);
  const endN = Number(end);
  const meets = (l: Leaf) => {
    if (l.vma !== vma) return false;
    const base = leafBaseN(l);
    return base < endN && base + SIZE_N[l.size] > startN;
  };
  let zapped = false;
  const first = pudSlot(pageOf(start));
  const last = pudSlot(pageOf(end - 1n));
  const pud = k.s.mm.pud;
  // Backwards through each table: a slot zapped in place does not move the ones still to see.
  for (let j = find(pud, last + 1) - 1; j >= 0 && pud.i[j]! >= first; j--) {
    const u = pud.i[j]!;
    const a = pud.e[j]!;
    if (isLeaf(a)) {
      if (meets(a)) {
        del(pudW(k), u);
        zapped = true;
      }
      continue;
    }
    for (let n = a.pmd.i.length - 1; n >= 0; n--) {
      const m = a.pmd.i[n]!;
      const b = a.pmd.e[n]!;
      if (isLeaf(b)) {
        if (meets(b)) {
          del(pmdW(k, u), m);
          zapped = true;
        }
        continue;
      }
      for (let x = b.pte.i.length - 1; x >= 0; x--) {
        if (!meets(b.pte.e[x]!)) continue;
        const pmd = pmdW(k, u);
        const pte = k.own(get(pmd, m) as PteTable);
        set(pmd, m, pte);
        del((pte.pte = own(k, pte.pte)), b.pte.i[x]!);
        zapped = true;
      }
    }
  }
  return zapped;
}

/**
 * free_pgtables after [start, end) was unmapped: tables whose whole span no vma covers any more
 * are freed, so their slots are empty again. inUse tells whether a span meets a vma.
 */
export function freeTables(k: Kernel, start: bigint, end: bigint, inUse: (from: bigint, to: bigint) => boolean): void {
  const pmdSpan = BYTES.PMD;
  for (let a = start & ~(pmdSpan - 1n); a < end; a += pmdSpan) {
    const page = pageOf(a);
    const u = pudSlot(page);
    const m = pmdSlot(page);
    const t = get(k.s.mm.pud, u);
    if (t === undefined || isLeaf(t)) continue;
    const pte = get(t.pmd, m);
    if (pte !== undefined && !isLeaf(pte) && !inUse(a, a + pmdSpan)) del(pmdW(k, u), m);
  }
  const pudSpan = BYTES.PUD;
  for (let a = start & ~(pudSpan - 1n); a < end; a += pudSpan) {
    const u = pudSlot(pageOf(a));
    const t = get(k.s.mm.pud, u);
    if (t !== undefined && !isLeaf(t) && !inUse(a, a + pudSpan)) del(pudW(k), u);
  }
}
