#!/usr/bin/env python3
"""TensorBoard's own reader and writer, as an independent check of ttur-text's event files.

Run with the interpreter of the venv that `make tensorboard-venv` creates (the Python
`tensorboard` package from PyPI; no TensorFlow: its pure-Python record reader, which checks
both CRC-32C sums of every record, is used).

  records FILE         every event of FILE, strictly (a bad checksum is an error), as JSON
  scalars LOGDIR       what `tensorboard --logdir LOGDIR` shows: {tag: [[step, wall_time, value]]}
  write FILE SPEC      writes the events described by the JSON file SPEC with TensorBoard's
                       protobuf classes and record writer:
                       [{"wall_time": t, "step": s, "file_version": v} | {..., "scalars": {tag: value}}]
"""
import json
import sys

from tensorboard.backend.event_processing import event_accumulator, event_file_loader
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter


def records(path):
    events = []
    for record in event_file_loader._make_tf_record_iterator(path):
        event = event_pb2.Event.FromString(record)
        item = {"wall_time": event.wall_time, "step": event.step}
        what = event.WhichOneof("what")
        if what == "file_version":
            item["file_version"] = event.file_version
        elif what == "summary":
            item["scalars"] = [[v.tag, v.simple_value] for v in event.summary.value]
        events.append(item)
    return events


def scalars(logdir):
    accumulator = event_accumulator.EventAccumulator(logdir, size_guidance={event_accumulator.SCALARS: 0})
    accumulator.Reload()
    return {tag: [[s.step, s.wall_time, s.value] for s in accumulator.Scalars(tag)]
            for tag in accumulator.Tags()["scalars"]}


def write(path, spec_path):
    with open(spec_path) as spec_file:
        spec = json.load(spec_file)
    with open(path, "wb") as out:
        writer = RecordWriter(out)
        for item in spec:
            event = event_pb2.Event(wall_time=item["wall_time"], step=item["step"])
            if "file_version" in item:
                event.file_version = item["file_version"]
            else:
                values = [summary_pb2.Summary.Value(tag=tag, simple_value=value)
                          for tag, value in sorted(item["scalars"].items())]
                event.summary.CopyFrom(summary_pb2.Summary(value=values))
            writer.write(event.SerializeToString())
        writer.flush()
    return {"written": len(spec)}


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    result = {"records": records, "scalars": scalars, "write": write}[command](*arguments)
    json.dump(result, sys.stdout)
