// The viewer page's style: system fonts only (nothing to download), colours that tell a
// failing step from a sleeping one, and marks for the states objects are in.
export const VIEWER_CSS = `:root { --ok: #e8f5e9; --err: #ffe0b2; --warn: #fff59d; --oops: #ffcdd2; --sleep: #e3f2fd; --mark: #1565c0; --line: #d0d7de; font: 14px/1.4 system-ui, sans-serif; color: #1f2328; }
* { box-sizing: border-box; }
body { margin: 0; }
header { padding: 10px 16px 6px; border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0; } h1 span { font-weight: normal; font-family: ui-monospace, monospace; margin-left: 8px; }
h2 { font-size: 14px; margin: 0 0 6px; } h2 span { font-weight: normal; color: #57606a; margin-left: 6px; }
#note { margin: 4px 0 0; color: #57606a; }
#summary { margin: 2px 0 0; font-weight: 600; color: #1a7f37; } #summary.bad { color: #cf222e; }
.legend { margin: 0; padding: 6px 16px 0; display: flex; gap: 6px; } .legend .cell { display: inline-block; cursor: default; padding: 0 6px; }
#timeline { overflow-x: auto; padding: 8px 16px; border-bottom: 1px solid var(--line); }
.lanes { display: grid; gap: 4px 3px; align-items: stretch; }
.corner, .seq { font-size: 11px; color: #57606a; grid-row: 1; } .corner { grid-column: 1; padding-right: 8px; }
.task { grid-column: 1; font-family: ui-monospace, monospace; font-weight: 600; padding-right: 10px; align-self: center; }
.cell { font: 11px/1.2 ui-monospace, monospace; text-align: left; border: 1px solid #8c959f; border-radius: 4px; padding: 2px 4px; overflow: hidden; cursor: pointer; display: flex; flex-direction: column; justify-content: center; min-width: 0; z-index: 1; }
.cell span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; } .cell .ret { color: #57606a; }
.cell.ok { background: var(--ok); } .cell.err { background: var(--err); } .cell.warn { background: var(--warn); } .cell.oops { background: var(--oops); } .cell.blocked { background: var(--sleep); }
.cell.diverged { border: 2px solid #cf222e; }
.cell.selected { outline: 3px solid var(--mark); outline-offset: 1px; }
.sleep { background: repeating-linear-gradient(135deg, var(--sleep) 0 6px, #fff 6px 12px); border: 1px dashed #54aeff; border-radius: 4px; margin: 6px 0; }
.woken { font: 11px ui-monospace, monospace; color: #0969da; align-self: center; padding: 0 4px; z-index: 1; background: #fff; border: 1px solid #54aeff; border-radius: 4px; }
main { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); gap: 16px; padding: 10px 16px; }
main section { margin-bottom: 12px; }
#detail { font: 12px/1.45 ui-monospace, monospace; background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 0; white-space: pre-wrap; }
#objects { border-collapse: collapse; width: 100%; font-size: 12px; }
#objects th { text-align: left; border-bottom: 2px solid var(--line); padding: 3px 6px; }
#objects td { border-bottom: 1px solid var(--line); padding: 3px 6px; vertical-align: top; }
#objects td:first-child, #objects td:nth-child(3) { font-family: ui-monospace, monospace; white-space: nowrap; }
#objects td:last-child { font: 11px ui-monospace, monospace; color: #57606a; word-break: break-word; }
#objects tr { cursor: pointer; } #objects tr.changed td, #objects tr.new td { background: #fff8c5; } #objects tr.changed td:nth-child(3), #objects tr.new td:nth-child(3) { font-weight: 700; }
#objects tr.touched td { background: #f6f8fa; } #objects tr.null td { color: #8c959f; } #objects tr.focus td:first-child { box-shadow: inset 3px 0 var(--mark); }
#charts .grid { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px; flex: 0 1 auto; max-width: 100%; }
.chart.idle { opacity: 0.55; }
.chart figcaption { font-size: 12px; } .chart figcaption span { color: #57606a; margin-left: 4px; }
.chart svg { max-width: 100%; height: auto; display: block; margin: 4px 0; }
.chart .occupants { margin: 2px 0 0; font: 11px ui-monospace, monospace; color: #57606a; }
.chart g.node.occupied path, .chart g.node.occupied polygon, .chart g.node.occupied ellipse { fill: #ddf4ff; stroke: var(--mark); stroke-width: 2; }
.chart g.node.entered path, .chart g.node.entered polygon, .chart g.node.entered ellipse { fill: #fff8c5; stroke: #bf8700; stroke-width: 3; }
.chart g.node.focus path, .chart g.node.focus polygon { stroke: #8250df; stroke-width: 4; }
.chart g.edge.taken path { stroke: #bf8700; stroke-width: 3; } .chart g.edge.taken polygon { fill: #bf8700; stroke: #bf8700; } .chart g.edge.taken text { fill: #953800; font-weight: 700; }
footer { padding: 6px 16px 12px; color: #57606a; font-size: 12px; }
`;
