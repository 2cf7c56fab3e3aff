// A Sparkplug B edge node made with Eclipse Tahu's JavaScript client (sparkplug-client, from the
// npm registry), for tests/sparkplug/test_tahu.cpp. It is someone else's implementation of the
// protocol: the engine must understand its births, data and deaths, and it must understand the
// engine's commands.
//
//   node tahu_edge.js URL GROUP NODE DEVICE COMMANDS_FILE
//
// The node carries one device with three metrics, born with aliases 1..3: state (String),
// parts (Int64) and speed (Double, writable). Later data is sent by alias alone, as the
// specification asks. The test appends commands to COMMANDS_FILE, one per line; the script
// prints what happens as JSON lines on stdout:
//   start               connect (the will is an NDEATH with bdSeq), then NBIRTH + DBIRTH
//   data NAME VALUE     a DDATA with that metric
//   gap                 skip three sequence numbers, then a DDATA (the host should ask for a
//                       rebirth: NCMD "Node Control/Rebirth")
//   stale_ndeath        an NDEATH with a bdSeq that is not the current one (to be ignored)
//   stop                a clean stop: NDEATH, then disconnect
//   exit                end the script
// Events: {"event": "born"}, {"event": "sent", ...}, {"event": "dcmd", "name", "value",
// "alias"}, {"event": "rebirth"}, {"event": "stopped"}.
"use strict";
const fs = require("fs");
const sparkplug = require("sparkplug-client");
const payloads = require("sparkplug-payload").get("spBv1.0");

const [url, group, node, device, commandsFile] = process.argv.slice(2);
const say = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const metrics = {
  state: { alias: 1, type: "String", value: "working" },
  parts: { alias: 2, type: "Int64", value: 0 },
  speed: { alias: 3, type: "Double", value: 1.0 },
};
const byAlias = {};
for (const [name, m] of Object.entries(metrics)) byAlias[m.alias] = name;

let client = null;
let bdSeq = 0;

function births() {
  const now = Date.now();
  client.publishNodeBirth({
    timestamp: now,
    metrics: [{ name: "Node Control/Rebirth", type: "Boolean", value: false }],
  });
  client.publishDeviceBirth(device, {
    timestamp: now,
    metrics: Object.entries(metrics).map(([name, m]) => ({
      name,
      alias: m.alias,
      type: m.type,
      value: m.value,
      timestamp: now,
    })),
  });
  say({ event: "born", bdSeq: client.bdSeq });
}

function data(name) {
  const m = metrics[name];
  const now = Date.now();
  client.publishDeviceData(device, {
    timestamp: now,
    metrics: [{ alias: m.alias, type: m.type, value: m.value, timestamp: now }],
  });
}

function start() {
  client = sparkplug.newClient({
    serverUrl: url,
    groupId: group,
    edgeNode: node,
    clientId: "tahu-" + node + "-" + process.pid,
    username: "",
    password: "",
    version: "spBv1.0",
    publishDeath: true,
  });
  client.bdSeq = bdSeq;
  client.on("birth", births);
  client.on("ncmd", (p) => {
    for (const m of p.metrics || [])
      if (m.name === "Node Control/Rebirth" && m.value === true) {
        say({ event: "rebirth" });
        births();
      }
  });
  client.on("dcmd", (dev, p) => {
    if (dev !== device) return;
    for (const m of p.metrics || []) {
      const name = m.name !== undefined && m.name !== null ? m.name : byAlias[Number(m.alias)];
      if (!metrics[name]) continue;
      metrics[name].value = m.value;
      say({ event: "dcmd", name, value: m.value, alias: m.alias === undefined ? null : Number(m.alias) });
      data(name); // the value applied goes back as a report
    }
  });
}

const handlers = {
  start,
  data(name, value) {
    const m = metrics[name];
    m.value = m.type === "String" ? value : Number(value);
    data(name);
    say({ event: "sent", name, value: m.value });
  },
  gap() {
    client.seq = (client.seq + 3) % 256;
    data("parts");
    say({ event: "sent", gap: true });
  },
  stale_ndeath() {
    const p = { timestamp: Date.now(), metrics: [{ name: "bdSeq", type: "UInt64", value: bdSeq + 7 }] };
    client.client.publish("spBv1.0/" + group + "/NDEATH/" + node, Buffer.from(payloads.encodePayload(p)));
    say({ event: "sent", ndeath_bdseq: bdSeq + 7 });
  },
  stop() {
    client.stop();
    client = null;
    bdSeq += 1; // the next connection is a new session of the node
    say({ event: "stopped" });
  },
  exit() {
    process.exit(0);
  },
};

let done = 0;
setInterval(() => {
  let text = "";
  try {
    text = fs.readFileSync(commandsFile, "utf8");
  } catch (e) {
    return;
  }
  const lines = text.split("\n").filter((l) => l.trim().length > 0);
  for (; done < lines.length; ++done) {
    const [cmd, ...args] = lines[done].trim().split(/\s+/);
    if (!handlers[cmd]) {
      say({ event: "error", what: "unknown command " + cmd });
      continue;
    }
    handlers[cmd](...args);
  }
}, 50);
