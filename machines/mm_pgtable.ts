// The page tables of the address space (v4.12 core mm, kernel-semantics.md §5), as far as the
// fault path can see them. Levels are real tables: the PUD level maps 1 GiB slots; a PUD slot
// is empty, a huge leaf, or a PMD table of 512 slots; a PMD slot is empty, a huge leaf, or a PTE
// table of 512 slots; a PTE slot is empty or a leaf. Tables are plain objects keyed by slot.
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
import type { Leaf, PmdTable, PteTable, PudSlot } from './state.ts';
import { big, decoded, hex } from './u64.ts';

export const BYTES: Record<FaultSize, bigint> = { PTE: 1n << 12n, PMD: 1n << 21n, PUD: 1n << 30n };

const isLeaf = (x: PudSlot | Leaf | PteTable | undefined): x is Leaf => x !== undefined && 'size' in x;

/** The page number of an address. Addresses stay below 2^47, so page numbers are exact doubles. */
export const pageOf = (addr: bigint): number => Number(addr >> 12n);
const pudSlot = (page: number) => Math.floor(page / 262144);
const pmdSlot = (page: number) => Math.floor(page / 512) % 512;
const pteSlot = (page: number) => page % 512;

/** A leaf's base and physical address as bigints (leaves are never changed, only replaced). */
export const leafAddr = decoded((l: Leaf) => ({ base: big(l.base), phys: big(l.phys) }));

/** The leaf that maps the page, if any. */
export function leafAt(k: Kernel, page: number): Leaf | undefined {
  const a = k.s.mm.pud[pudSlot(page)];
  if (a === undefined || isLeaf(a)) return a;
  const b = a.pmd[pmdSlot(page)];
  if (b === undefined || isLeaf(b)) return b;
  return b.pte[pteSlot(page)];
}

/** pud_none / pmd_none for the slot that covers the page. */
export function slotEmpty(k: Kernel, level: 'PUD' | 'PMD', page: number): boolean {
  const a = k.s.mm.pud[pudSlot(page)];
  if (level === 'PUD') return a === undefined;
  return a === undefined || (!isLeaf(a) && a.pmd[pmdSlot(page)] === undefined);
}

/** The PUD level, writable. */
function pudW(k: Kernel): Record<number, PudSlot> {
  const mm = k.wf('mm');
  return (mm.pud = k.own(mm.pud));
}

/** The PMD table in PUD slot u, writable (it must be a table). */
function pmdW(k: Kernel, u: number): Record<number, Leaf | PteTable> {
  const pud = pudW(k);
  const t = (pud[u] = k.own(pud[u] as PmdTable));
  return (t.pmd = k.own(t.pmd));
}

/** pmd_alloc: an empty PUD slot gets a PMD table. */
export function allocPmdTable(k: Kernel, page: number): void {
  const u = pudSlot(page);
  if (k.s.mm.pud[u] === undefined) pudW(k)[u] = { pmd: {} };
}

/**
 * Installs the leaf of `size` covering addr, making the tables above it. Whatever held the slot
 * is replaced (set_pmd_at / set_pud_at overwrite; a PTE slot is only filled when empty by the
 * caller), with everything under it.
 */
export function install(k: Kernel, size: FaultSize, addr: bigint, phys: bigint, vma: ObjId, write: boolean): void {
  const page = pageOf(addr);
  const u = pudSlot(page);
  const leaf: Leaf = { size, base: hex(addr & ~(BYTES[size] - 1n)), phys: hex(phys), vma, write: size === 'PTE' || write };
  if (size === 'PUD') {
    pudW(k)[u] = leaf;
    return;
  }
  const a = k.s.mm.pud[u];
  if (a === undefined || isLeaf(a)) pudW(k)[u] = { pmd: {} };
  const m = pmdSlot(page);
  if (size === 'PMD') {
    pmdW(k, u)[m] = leaf;
    return;
  }
  const pmd = pmdW(k, u);
  const b = pmd[m];
  const pte = (pmd[m] = b === undefined || isLeaf(b) ? { pte: {} } : k.own(b));
  pte.pte = k.own(pte.pte);
  pte.pte[pteSlot(page)] = leaf;
}

/**
 * Zaps the leaves of vma that meet [start, end); tables stay. A huge leaf that only partly
 * overlaps the range goes whole: zap_pmd_range / zap_pud_range split it, and splitting a DAX
 * entry clears it (as __split_vma does at a new vma boundary). True when a leaf went.
 */
export function zapVma(k: Kernel, vma: ObjId, start: bigint, end: bigint): boolean {
  const meets = (l: Leaf) => {
    if (l.vma !== vma) return false;
    const base = leafAddr(l).base;
    return base < end && base + BYTES[l.size] > start;
  };
  let zapped = false;
  const first = pudSlot(pageOf(start));
  const last = pudSlot(pageOf(end - 1n));
  for (let u = first; u <= last; u++) {
    const a = k.s.mm.pud[u];
    if (a === undefined) continue;
    if (isLeaf(a)) {
      if (meets(a)) {
        delete pudW(k)[u];
        zapped = true;
      }
      continue;
    }
    for (const key in a.pmd) {
      const m = Number(key);
      const b = a.pmd[m]!;
      if (isLeaf(b)) {
        if (meets(b)) {
          delete pmdW(k, u)[m];
          zapped = true;
        }
        continue;
      }
      for (const tkey in b.pte) {
        const t = Number(tkey);
        if (!meets(b.pte[t]!)) continue;
        const pmd = pmdW(k, u);
        const pte = (pmd[m] = k.own(pmd[m] as PteTable));
        delete (pte.pte = k.own(pte.pte))[t];
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
    const t = k.s.mm.pud[u];
    if (t === undefined || isLeaf(t)) continue;
    const pte = t.pmd[m];
    if (pte !== undefined && !isLeaf(pte) && !inUse(a, a + pmdSpan)) delete pmdW(k, u)[m];
  }
  const pudSpan = BYTES.PUD;
  for (let a = start & ~(pudSpan - 1n); a < end; a += pudSpan) {
    const u = pudSlot(pageOf(a));
    const t = k.s.mm.pud[u];
    if (t !== undefined && !isLeaf(t) && !inUse(a, a + pudSpan)) delete pudW(k)[u];
  }
}
