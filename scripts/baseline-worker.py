#!/usr/bin/python3
"""A plain Python codetask worker: the baseline `worker-bench --python` compares the Swift worker with.

What a team might write in an afternoon, on confluent-kafka's Consumer and Producer and aiohttp under asyncio. It
reads the worker's CODETASK_* environment variables (brokers, group, topics, identity-service login, server URL,
credentials, max in flight, max connections, max pending as the batch size), logs in once, then loops: consumes a
batch, sends POST <server URL>/disnext/api/v1/CodeTask/Start for the batch's requests concurrently (at most
CODETASK_MAX_IN_FLIGHT at once, over at most CODETASK_MAX_CONNECTIONS connections), produces one JSON event per
request to the output topic (keyed like the input: the Start answer's fields, or the HTTP status and error of a
failed call) and each malformed record to the dead-letter topic, waits until the producer has delivered them all,
then commits the batch's offsets.

What it does not do: no attempt journal (a worker killed between a Start call and the commit starts the task again
when the batch is consumed again, and says nothing of it), no retries (a new login after a 401 or 403 only), no
per-key ordering (requests with the same key run concurrently), no metrics, no traces, no per-record logging, no
rate limit, no pause during an Informatica outage. SIGTERM or SIGINT ends it after the batch in hand, with exit 0.

`baseline-worker.py --check` only imports its modules: exit 0, or 2 with the apt line that installs them.
"""
import asyncio
import json
import os
import signal
import sys

try:
    import aiohttp
    from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
except ImportError as missing:
    print(f"baseline-worker: {sys.executable} lacks the module {missing.name}: "
          "apt-get install -y python3-confluent-kafka python3-aiohttp", file=sys.stderr)
    sys.exit(2)


def setting(name, default=None):
    value = os.environ.get("CODETASK_" + name, default)
    if value is None:
        raise SystemExit(f"baseline-worker: CODETASK_{name} is not set")
    return value


def parse(value):
    """The request in a record's value, or None and the reason it goes to the dead-letter topic."""
    try:
        request = json.loads(value)
    except (TypeError, ValueError):
        return None, "not_json"
    if not isinstance(request, dict):
        return None, "not_an_object"
    task = request.get("codeTaskId")
    if isinstance(task, bool) or not isinstance(task, (str, int)) or task == "":
        return None, "invalid_code_task_id" if "codeTaskId" in request else "missing_code_task_id"
    request["codeTaskId"] = str(task)
    return request, None


class Informatica:
    """One identity-service session shared by every call, renewed once a call is refused with 401 or 403."""

    def __init__(self, http):
        self.http, self.session, self.lock = http, None, asyncio.Lock()
        self.login_url = setting("LOGIN_URL").rstrip("/") + "/identity-service/api/v1/Login"
        self.start_url = setting("SERVER_URL").rstrip("/") + "/disnext/api/v1/CodeTask/Start"
        self.credentials = {"username": setting("USERNAME"), "password": setting("PASSWORD")}

    async def login(self, stale=None):
        async with self.lock:
            if self.session is None or self.session == stale:  # else another call renewed it meanwhile
                async with self.http.post(self.login_url, json=self.credentials) as response:
                    if response.status != 200:
                        raise RuntimeError(f"login answered HTTP {response.status}")
                    self.session = (await response.json())["sessionId"]

    async def start(self, task, traceparent):
        """The HTTP status (None when there was no answer) and the answer's text or the error of one Start call."""
        body = json.dumps({"codeTaskId": task}).encode()
        for attempt in (1, 2):
            session = self.session
            headers = {"Content-Type": "application/json", "Accept": "application/json", "IDS-SESSION-ID": session}
            if traceparent:
                headers["traceparent"] = traceparent
            try:
                async with self.http.post(self.start_url, data=body, headers=headers) as response:
                    answer = await response.read()
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                return None, f"{type(error).__name__}: {error}"
            if response.status not in (401, 403) or attempt == 2:
                return response.status, answer.decode("utf-8", "replace").replace(session, "[redacted]")
            await self.login(stale=session)


async def main():
    if setting("LOGIN_MODE", "identity") != "identity":
        raise SystemExit("baseline-worker: only CODETASK_LOGIN_MODE=identity is supported")
    brokers, input_topic = setting("BROKERS"), setting("INPUT_TOPIC", "codetask.start.requests")
    output_topic = setting("OUTPUT_TOPIC", "codetask.job.events")
    dead_letter_topic = setting("DLQ_TOPIC", "codetask.start.dlq")
    in_flight = int(setting("MAX_IN_FLIGHT", "64"))
    batch_size = int(setting("MAX_PENDING", str(max(1000, 4 * in_flight))))
    loop, stopping, failures = asyncio.get_running_loop(), asyncio.Event(), []
    # A child inherits its launcher's blocked signals (worker-bench starts it from a thread that blocks SIGTERM).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stopping.set)
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": setting("GROUP", "codetask-worker"),
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True, "linger.ms": 5})

    def delivered(error, _message):
        if error is not None:
            failures.append(error)

    def produce(topic, value, key, headers=None):
        producer.produce(topic, value, key, headers=headers, on_delivery=delivered)
        producer.poll(0)

    connector = aiohttp.TCPConnector(limit=int(setting("MAX_CONNECTIONS", "64")))
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:
        informatica, slots = Informatica(http), asyncio.Semaphore(in_flight)
        await informatica.login()

        async def handle(record, request):
            traceparent = next((v.decode() for k, v in record.headers() or [] if k == "traceparent" and v), None)
            async with slots:
                status, answer = await informatica.start(request["codeTaskId"], traceparent)
            event = {"requestId": request.get("requestId"), "codeTaskId": request["codeTaskId"]}
            try:
                fields = json.loads(answer) if status is not None and 200 <= status < 300 else None
            except ValueError:
                fields = None
            if isinstance(fields, dict) and "jobId" in fields:
                event["type"] = "codetask.job.started"
                event.update(fields)
            else:
                event.update(type="codetask.start.failed", error=answer[:1000])
            event.update(httpStatus=status, context=request.get("context"),
                         source={"topic": record.topic(), "partition": record.partition(), "offset": record.offset()})
            produce(output_topic, json.dumps(event).encode(), record.key())

        consumer.subscribe([input_topic])
        try:
            while not stopping.is_set():
                records = await loop.run_in_executor(None, consumer.consume, batch_size, 0.5)
                calls, ends = [], {}
                for record in records:
                    if record.error():
                        if record.error().fatal():
                            raise KafkaException(record.error())
                        print(f"baseline-worker: consumer: {record.error()}", file=sys.stderr)
                        continue
                    ends[record.partition()] = max(ends.get(record.partition(), 0), record.offset() + 1)
                    request, reason = parse(record.value())
                    if request is None:
                        dead_letter_headers = (record.headers() or []) + [("dlq_reason", reason.encode())]
                        produce(dead_letter_topic, record.value(), record.key(), dead_letter_headers)
                    else:
                        calls.append(handle(record, request))
                await asyncio.gather(*calls)
                if await loop.run_in_executor(None, producer.flush, 30) > 0 or failures:
                    raise RuntimeError(f"events not delivered: {failures[:3] or 'flush timed out'}")
                if ends:
                    offsets = [TopicPartition(input_topic, partition, end) for partition, end in ends.items()]
                    consumer.commit(offsets=offsets, asynchronous=False)
        finally:
            consumer.close()
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(0)
    try:
        sys.exit(asyncio.run(main()))
    except (RuntimeError, KafkaException, aiohttp.ClientError, OSError) as error:
        print(f"baseline-worker: {error}", file=sys.stderr)
        sys.exit(1)
