#!/usr/bin/env node
// Extracts from an AWS service model (../shared/aws-models/*.json) only what the server needs to validate requests and
// shape replies: operations (input, output, errors) and the shapes they reach, with their constraints. Run by hand
// when a model changes; the output is committed. With no arguments it regenerates every service's model:
//
//   node scripts/gen-model.mjs
//   node scripts/gen-model.mjs ../shared/aws-models/kinesis-2013-12-02.json src/api/models/kinesis.json
import fs from 'node:fs';

/** The services the server speaks: AWS model → extracted model. */
const MODELS = [
  ['../shared/aws-models/kinesis-2013-12-02.json', 'src/api/models/kinesis.json'],
  ['../shared/aws-models/kinesisanalytics-2015-08-14.json', 'src/api/models/kinesisanalytics.json'],
];

const args = process.argv.slice(2);
if (args.length !== 0 && args.length !== 2) {
  console.error('usage: node scripts/gen-model.mjs [<aws-model.json> <output.json>]');
  process.exit(2);
}
for (const [source, target] of args.length === 2 ? [args] : MODELS) generate(source, target);

function generate(source, target) {
  const model = JSON.parse(fs.readFileSync(source, 'utf8'));
  const shapes = {};

  function visit(name) {
    if (shapes[name]) return;
    const s = model.shapes[name];
    if (!s) throw new Error(`shape ${name} not in the model`);
    const out = { type: s.type };
    for (const key of ['min', 'max', 'pattern', 'enum']) if (s[key] !== undefined) out[key] = s[key];
    // Java's possessive `{n}+` (as in `\d{12}+`) is not JavaScript: for the whole-value matches done here, the
    // greedy `{n}` accepts the same values.
    if (out.pattern !== undefined) out.pattern = out.pattern.replace(/(\{\d+(?:,\d*)?\})\+/g, '$1');
    if (s.exception) out.exception = true;
    if (s.eventstream) out.eventstream = true;
    shapes[name] = out;
    if (s.type === 'structure') {
      if (s.required?.length) out.required = s.required;
      out.members = {};
      for (const [member, ref] of Object.entries(s.members)) {
        out.members[member] = ref.shape;
        visit(ref.shape);
      }
    } else if (s.type === 'list') {
      out.member = s.member.shape;
      visit(s.member.shape);
    } else if (s.type === 'map') {
      out.key = s.key.shape;
      out.value = s.value.shape;
      visit(s.key.shape);
      visit(s.value.shape);
    }
  }

  const operations = {};
  for (const name of Object.keys(model.operations).sort()) {
    const op = model.operations[name];
    const entry = {};
    if (op.input) visit((entry.input = op.input.shape));
    if (op.output) visit((entry.output = op.output.shape));
    entry.errors = (op.errors ?? []).map((e) => e.shape);
    for (const e of entry.errors) visit(e);
    operations[name] = entry;
  }

  const sorted = Object.fromEntries(Object.keys(shapes).sort().map((k) => [k, shapes[k]]));
  const out = {
    source: source.split('/').pop(),
    targetPrefix: model.metadata.targetPrefix,
    jsonVersion: model.metadata.jsonVersion,
    operations,
    shapes: sorted,
  };
  fs.writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
  console.log(`${target}: ${Object.keys(operations).length} operations, ${Object.keys(sorted).length} shapes`);
}
