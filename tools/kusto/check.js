// Parses and semantically analyzes Kusto (KQL) queries with Microsoft's Kusto.Language, the
// engine behind the Log Analytics and Azure Data Explorer editors, against given table
// schemas — what Azure checks when a scheduledQueryRules resource is created.
//
// stdin:  {"tables": {"Name": "(Col:type, ...)"}, "queries": {"id": "KQL"}}
// stdout: {"id": {"diagnostics": ["Error KS142 at 24: The name 'Foo' does not refer to ..."],
//                 "columns": {"Col": "real", ...}}} for every query: its diagnostics (none:
//         an empty list) and the columns of its tabular result (what a log alert's measure
//         and dimensions must name).
//
// Run by tests/azure with NODE_PATH set to the node_modules tools/kusto.sh installs.
'use strict';
require('@kusto/language-service-next/bridge.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.js');

const K = globalThis.Kusto.Language;

function database(tables) {
  const symbols = Object.entries(tables).map(([name, schema]) =>
    K.Symbols.TableSymbol.From(schema).WithName(name));
  return new K.Symbols.DatabaseSymbol.$ctor2('workspace', null, symbols);
}

function check(query, globals) {
  const code = K.KustoCode.ParseAndAnalyze(query, globals);
  const found = code.GetDiagnostics();
  const diagnostics = [];
  for (let i = 0; i < found.Count; i++) {
    const d = found.getItem(i);
    diagnostics.push(`${d.Severity} ${d.Code} at ${d.Start}: ${d.Message}`);
  }
  const columns = {};
  const result = code.ResultType;
  if (result && result.Columns) {
    for (let i = 0; i < result.Columns.Count; i++) {
      const c = result.Columns.getItem(i);
      columns[c.Name] = c.Type.Name;
    }
  }
  return { diagnostics, columns };
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const { tables, queries } = JSON.parse(input);
  const globals = K.GlobalState.Default.WithDatabase(database(tables));
  const result = {};
  for (const [id, query] of Object.entries(queries)) {
    result[id] = check(query, globals);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
});
