#!/usr/bin/python3
# A PLC gateway for dtwin's JSON wire, written the way an integrator would: from engine/MQTT.md
# ("What a gateway must do") and the contract `dtwin describe --mqtt URL --plant P --json`
# prints, with Eclipse Paho's Python client (Debian's python3-paho-mqtt), not with dtwin's code.
# It is the gateway of tests/gateway/test_plain_gateway.cpp.
#
#   plain_gateway.py URL PLANT CONTRACT_JSON COMMANDS_FILE HEARTBEAT_S
#
# CONTRACT_JSON is what `dtwin describe --json` printed. Every twin of it gets one MQTT
# connection (each has its own will). The "PLC" is a dict of values per twin, starting at the
# lower end of each range (enumerations at their first choice, "working" when there is one).
# The test appends commands to COMMANDS_FILE:
#   local TWIN PROP VALUE   the PLC changes a value by itself (reported as a change)
#   interlock TWIN on|off   while on, the PLC refuses every setpoint of TWIN (a local interlock)
#   crash                   die without a word: the broker publishes every twin's will
#   exit                    disconnect cleanly and end
# What it does is printed as JSON lines: {"event": "birth" | "applied" | "rejected" | ...}.
import json
import os
import sys
import threading
import time
from urllib.parse import urlparse

import paho.mqtt.client as mqtt

url, plant, contract_file, commands_file, heartbeat_s = sys.argv[1:6]
heartbeat_s = float(heartbeat_s)
contract = json.load(open(contract_file))
broker = urlparse(url)
lock = threading.Lock()


def say(**kw):
    with lock:
        print(json.dumps(kw), flush=True)


def initial(p):
    if p["type"] == "enum":
        return "working" if "working" in p["choices"] else p["choices"][0]
    if p["type"] == "bool":
        return False
    if p["type"] == "text":
        return ""
    lo = p.get("min", 0.0)
    return max(lo, min(p.get("max", 1.0), 1.0))


class Twin:
    def __init__(self, spec):
        self.id = spec["id"]
        self.topics = spec["topics"]
        # the asset reports what it measures; derived properties are the engine's
        self.props = {p["name"]: p for p in spec["properties"] if not p["derived"]}
        self.values = {n: initial(p) for n, p in self.props.items()}
        # MQTT.md, point 1: a session that grows across restarts: the clock in milliseconds
        self.session = int(time.time() * 1000)
        self.seq = 0
        self.handled = {}  # desired version handled, per property (and per engine id)
        self.engine = None
        self.interlock = False
        self.client = mqtt.Client(client_id="gw-%s-%s-%d" % (plant, self.id, os.getpid()),
                                  protocol=mqtt.MQTTv5)
        # MQTT.md: the death is the asset's will, with the session that dies
        self.client.will_set(self.topics["death"], json.dumps({"session": self.session}), qos=1)
        self.client.on_connect = self.on_connect
        self.client.on_message = self.on_message

    def start(self):
        self.client.connect(broker.hostname, broker.port or 1883, keepalive=30)
        self.client.loop_start()

    def on_connect(self, client, userdata, flags, rc, properties=None):
        client.subscribe(self.topics["desired"], qos=1)
        # point 2: a birth whenever an engine announces itself (any partition's status)
        client.subscribe("dtwin/%s/engine/status/#" % plant, qos=1)

    def send(self, kind, values):
        # point 3: seq +1 per message, ts our own clock in seconds
        with lock:
            self.seq += 1
            msg = {"session": self.session, "seq": self.seq, "ts": time.time(), "values": values}
        self.client.publish(self.topics[kind], json.dumps(msg), qos=1)

    def birth(self):
        self.send("birth", dict(self.values))
        say(event="birth", twin=self.id, session=self.session)

    def on_message(self, client, userdata, msg):
        body = json.loads(msg.payload) if msg.payload else {}
        if "/engine/status" in msg.topic:
            if body.get("online"):
                self.birth()
            return
        # the desired delta: handle each version once, per engine
        if body.get("engine") != self.engine:
            self.engine = body.get("engine")
            self.handled = {}
        changed = {}
        for name, d in body.get("values", {}).items():
            version = d["version"]
            if version <= self.handled.get(name, 0):
                continue
            self.handled[name] = version
            p = self.props.get(name)
            reason = None
            if p is None or not p["writable"]:
                reason = "not a setpoint of this PLC"
            elif self.interlock:
                reason = "interlock: the operator panel holds %s" % self.id
            elif p["type"] == "number" and not (p.get("min", -1e300) <= d["value"] <= p.get("max", 1e300)):
                reason = "outside %s..%s" % (p.get("min"), p.get("max"))
            ack = {"prop": name, "version": version}
            if reason:
                ack.update(status="rejected", reason=reason)
                say(event="rejected", twin=self.id, prop=name, version=version, reason=reason)
            else:
                ack.update(status="applied")
                self.values[name] = d["value"]
                changed[name] = d["value"]
                say(event="applied", twin=self.id, prop=name, value=d["value"])
            client.publish(self.topics["ack"], json.dumps(ack), qos=1)
        # point 5: the report is the mirror's word: send the values applied
        if changed:
            self.send("reported", changed)


twins = [Twin(t) for t in contract["twins"]]
by_id = {t.id: t for t in twins}
for t in twins:
    t.start()
say(event="started", twins=len(twins))


def heartbeat():
    # point 4: every value again within stale_after, not only changes
    while True:
        time.sleep(heartbeat_s)
        for t in twins:
            t.send("reported", dict(t.values))


threading.Thread(target=heartbeat, daemon=True).start()

done = 0
while True:
    time.sleep(0.05)
    try:
        lines = [l.split() for l in open(commands_file).read().splitlines() if l.strip()]
    except OSError:
        continue
    for words in lines[done:]:
        done += 1
        cmd = words[0]
        if cmd == "local":
            t, prop, raw = by_id[words[1]], words[2], " ".join(words[3:])
            p = t.props[prop]
            value = float(raw) if p["type"] == "number" else (raw == "true" if p["type"] == "bool" else raw)
            t.values[prop] = value
            t.send("reported", {prop: value})
            say(event="local", twin=t.id, prop=prop, value=value)
        elif cmd == "interlock":
            by_id[words[1]].interlock = words[2] == "on"
            say(event="interlock", twin=words[1], on=words[2] == "on")
        elif cmd == "crash":
            say(event="crash")
            os._exit(1)
        elif cmd == "exit":
            for t in twins:
                t.client.disconnect()
                t.client.loop_stop()
            say(event="exit")
            sys.exit(0)
