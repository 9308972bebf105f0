// The viewer page's style: system fonts only (nothing to download), the page as tall as the
// window with the timeline and the panels scrolling apart, colours that tell a failing step
// from a sleeping one, and marks for the states objects are in and the entries a step changed.
export const VIEWER_CSS = `:root { --ok: #dcefdc; --err: #ffd8a8; --warn: #fff08a; --oops: #ffc2c2; --sleep: #cfe6ff; --mark: #1565c0; --line: #d0d7de; --dim: #57606a; --row: 22px; font: 14px/1.4 system-ui, sans-serif; color: #1f2328; }
* { box-sizing: border-box; }
html, body { height: 100%; }
body { margin: 0; display: flex; flex-direction: column; overflow: hidden; }
header { padding: 8px 16px 4px; border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0; display: inline; } h1 span { font-weight: normal; font-family: ui-monospace, monospace; margin-left: 8px; }
h2 { font-size: 14px; margin: 0 0 6px; } h2 span { font-weight: normal; color: var(--dim); margin-left: 6px; }
#summary { display: inline; margin: 0 0 0 14px; font-weight: 600; color: #1a7f37; } #summary.bad { color: #cf222e; }
#note, #window { margin: 2px 0 0; color: var(--dim); } #note:empty, #window:empty { display: none; }
#violation { margin: 6px 0 2px; padding: 6px 10px; border: 2px solid #cf222e; border-radius: 6px; background: #fff1f0; color: #82071e; font-family: ui-monospace, monospace; font-size: 13px; }
#violation b { font-family: system-ui, sans-serif; margin-right: 6px; } #violation button { margin-left: 8px; }
#tools { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; padding: 6px 16px; border-bottom: 1px solid var(--line); font-size: 13px; background: #f6f8fa; }
#tools input { font: 12px ui-monospace, monospace; } #tools button { font-size: 11px; padding: 1px 6px; }
#jump-note { color: #9a6700; } #jump-note:empty, #matches:empty { display: none; } #matches { font-weight: 600; }
.legend { margin-left: auto; color: var(--dim); display: flex; gap: 4px; align-items: center; } .legend .mark { position: static; display: inline-block; width: 14px; height: 12px; margin-left: 6px; }
main { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(0, 48fr) minmax(0, 52fr); grid-template-rows: minmax(0, 1fr); }
#timeline { display: flex; flex-direction: column; min-height: 0; border-right: 1px solid var(--line); contain: strict; }
.thead { display: flex; align-items: end; padding: 4px 0 3px; border-bottom: 2px solid var(--line); font-size: 11px; color: var(--dim); background: #fff; }
.thead .seq { width: 64px; padding: 0 8px; text-align: right; flex: none; }
.thead .lanes { display: flex; flex: none; } .lane-name { font: 600 12px ui-monospace, monospace; color: #1f2328; text-align: center; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.thead .call { padding-left: 8px; }
.scroller { flex: 1; min-height: 0; overflow-y: auto; overflow-x: hidden; outline: none; }
.spacer { position: relative; }
.row { position: absolute; left: 0; right: 0; height: var(--row); contain: strict; display: flex; align-items: center; cursor: pointer; font: 12px/var(--row) ui-monospace, monospace; border-bottom: 1px solid #f0f2f4; }
.row:hover { background: #f6f8fa; } .row.match { background: #fff8c5; } .row.selected { background: #ddf4ff; box-shadow: inset 3px 0 var(--mark); }
.row.failing { box-shadow: inset 5px 0 #cf222e; } .row.failing .seq { color: #cf222e; font-weight: 700; }
.row .seq { width: 64px; flex: none; padding: 0 8px; text-align: right; color: var(--dim); font-size: 11px; }
.row .lanes { position: relative; flex: none; width: var(--lanes); height: 100%; }
.mark { position: absolute; top: 3px; height: 15px; margin-left: 3px; border-radius: 3px; border: 1px solid #8c959f; z-index: 1; }
.mark.ok { background: var(--ok); } .mark.err { background: var(--err); } .mark.warn { background: var(--warn); } .mark.oops { background: var(--oops); } .mark.blocked { background: var(--sleep); border-color: #54aeff; }
.row.diverged .mark, .mark.diverged { border: 2px solid #cf222e; }
.wake { position: absolute; top: 1px; margin-left: 3px; font-style: normal; color: #0969da; font-weight: 700; z-index: 2; background: #fff; border: 1px solid #54aeff; border-radius: 3px; padding: 0 3px; line-height: 17px; }
.sleep { position: absolute; width: 10px; background: repeating-linear-gradient(180deg, #54aeff 0 4px, #fff 4px 8px); border: 1px solid #54aeff; border-radius: 3px; z-index: 1; }
.row .call { padding-left: 8px; font-size: 11.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; flex: 1; }
.row .task { color: #0550ae; } .row .ret { color: var(--dim); } .row.err .ret, .row.oops .ret { color: #cf222e; } .row .woken { color: #0969da; }
#panels { overflow-y: auto; padding: 10px 16px; min-height: 0; contain: strict; }
#panels section { margin-bottom: 14px; } #panels.stale section + section { opacity: 0.45; }
#detail { font: 12px/1.45 ui-monospace, monospace; background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 0; white-space: pre-wrap; }
#detail.failing { border: 2px solid #cf222e; background: #fff8f7; }
#pagetables .vma { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 4px; padding: 3px 8px; font-size: 12px; }
#pagetables .vma.changed { border-color: #bf8700; background: #fffdf0; }
#pagetables summary { cursor: pointer; font-family: ui-monospace, monospace; } #pagetables summary b { margin-right: 4px; }
#pagetables summary span { margin-left: 10px; font-family: system-ui, sans-serif; } .counts { color: var(--dim); } summary .installed { color: #1a7f37; font-weight: 700; } summary .zapped { color: #cf222e; font-weight: 700; }
table.entries { border-collapse: collapse; margin: 4px 0 2px; font: 12px ui-monospace, monospace; }
table.entries td { padding: 1px 8px 1px 0; white-space: nowrap; } table.entries td:first-child { font-weight: 700; }
table.entries tr.installed td { background: #dafbe1; } table.entries tr.installed td:last-child { color: #1a7f37; font-weight: 700; }
table.entries tr.zapped td { background: #ffebe9; text-decoration: line-through; color: #82071e; } table.entries tr.zapped td:last-child { text-decoration: none; font-weight: 700; }
#pagetables .none { margin: 2px 0; color: var(--dim); font-size: 12px; } table.entries tr.gap td { color: var(--dim); font-weight: normal; font-style: italic; }
#objects { font-size: 12px; }
#objects .obj { display: grid; grid-template-columns: minmax(8em, 20%) 6.5em minmax(11em, 24%) minmax(0, 1fr); border-bottom: 1px solid var(--line); cursor: pointer; content-visibility: auto; contain-intrinsic-size: auto 22px; }
#objects .obj > span { padding: 3px 6px; min-width: 0; }
#objects .obj.head { font-weight: 700; border-bottom: 2px solid var(--line); cursor: default; content-visibility: visible; }
#objects .obj > span:first-child, #objects .obj > span:nth-child(3) { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
#objects .obj > span:last-child { font: 11px ui-monospace, monospace; color: var(--dim); overflow-wrap: anywhere; }
#objects .obj.head > span { font: 700 12px system-ui, sans-serif; color: inherit; }
#objects .obj.changed, #objects .obj.new { background: #fff8c5; } #objects .obj.changed > span:nth-child(3), #objects .obj.new > span:nth-child(3) { font-weight: 700; }
#objects .obj.touched { background: #f6f8fa; } #objects .obj.null { color: #8c959f; } #objects .obj.focus > span:first-child { box-shadow: inset 3px 0 var(--mark); }
#obj-filter { margin-left: 10px; font-size: 12px; }
#charts .grid { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px; flex: 0 1 auto; max-width: 100%; }
.chart.idle { opacity: 0.55; }
.chart figcaption { font-size: 12px; } .chart figcaption span { color: var(--dim); margin-left: 4px; }
.chart svg { max-width: 100%; height: auto; display: block; margin: 4px 0; }
.chart .occupants { margin: 2px 0 0; font: 11px ui-monospace, monospace; color: var(--dim); }
.chart g.node.occupied path, .chart g.node.occupied polygon, .chart g.node.occupied ellipse { fill: #ddf4ff; stroke: var(--mark); stroke-width: 2; }
.chart g.node.entered path, .chart g.node.entered polygon, .chart g.node.entered ellipse { fill: #fff8c5; stroke: #bf8700; stroke-width: 3; }
.chart g.node.focus path, .chart g.node.focus polygon { stroke: #8250df; stroke-width: 4; }
.chart g.edge.taken path { stroke: #bf8700; stroke-width: 3; } .chart g.edge.taken polygon { fill: #bf8700; stroke: #bf8700; } .chart g.edge.taken text { fill: #953800; font-weight: 700; }
footer { padding: 4px 16px 6px; color: var(--dim); font-size: 12px; border-top: 1px solid var(--line); }
`;
