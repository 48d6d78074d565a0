"""TensorBoard event files, written (and read back) without TensorFlow, TensorBoard or protobuf.

An event file is a sequence of TFRecords::

    uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)

(little-endian), each ``data`` a serialized ``tensorflow.Event`` protobuf. The
first event names the format (``file_version: "brain.Event:2"``); the others
carry a ``Summary`` of tagged values. We write values the way TF2's
``tf.summary`` does: a ``TensorProto`` plus ``SummaryMetadata`` naming the
TensorBoard plugin (``scalars``: a float32 0-d tensor; ``histograms``: a float64
``[buckets, 3]`` tensor of (left edge, right edge, count); ``graph_keras_model``:
the model's JSON as a 0-d string tensor, which TensorBoard's graph dashboard
draws as the model's conceptual graph).

Only the few protobuf fields used here are encoded, by hand; the reader
decodes the same subset and verifies both checksums of every record.
"""
import os
import socket
import struct
import time

import numpy as np

__all__ = ["EventFileWriter", "read_events", "scalar_summary", "histogram_summary", "keras_model_summary",
           "histogram_buckets"]

FILE_VERSION = "brain.Event:2"
# tensorflow.DataType values.
DT_FLOAT, DT_DOUBLE, DT_STRING = 1, 2, 7
HISTOGRAM_BUCKETS = 30  # TensorBoard's default

# ---- CRC-32C (Castagnoli), as TFRecord framing requires --------------------------------------------


def _crc32c_table():
    table = []
    for n in range(256):
        crc = n
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    """TFRecord's checksum: the CRC rotated right by 15 bits plus a constant (guards against CRCs of CRCs)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame_record(data):
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


# ---- protobuf encoding of the fields we use -----------------------------------------------------------


def _varint(value):
    value &= 0xFFFFFFFFFFFFFFFF  # negative int64 values are sent as their 64-bit two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field, wire_type):
    return _varint(field << 3 | wire_type)


def _field_varint(field, value):
    return _key(field, 0) + _varint(int(value))


def _field_double(field, value):
    return _key(field, 1) + struct.pack("<d", value)


def _field_bytes(field, payload):
    if isinstance(payload, str):
        payload = payload.encode("utf8")
    return _key(field, 2) + _varint(len(payload)) + payload


def _tensor_proto(dtype, shape, content=None, strings=()):
    """tensorflow.TensorProto: dtype=1, tensor_shape=2 (dim=2 {size=1}), tensor_content=4, string_val=8."""
    shape_proto = b"".join(_field_bytes(2, _field_varint(1, size)) for size in shape)
    out = _field_varint(1, dtype) + _field_bytes(2, shape_proto)
    if content is not None:
        out += _field_bytes(4, content)
    for s in strings:
        out += _field_bytes(8, s)
    return out


def _summary_value(tag, plugin_name, tensor, plugin_content=b""):
    """Summary.Value: tag=1, tensor=8, metadata=9 (SummaryMetadata.plugin_data=1 {plugin_name=1, content=2})."""
    plugin_data = _field_bytes(1, plugin_name) + (_field_bytes(2, plugin_content) if plugin_content else b"")
    return _field_bytes(1, tag) + _field_bytes(8, tensor) + _field_bytes(9, _field_bytes(1, plugin_data))


def scalar_summary(tag, value):
    """A Summary.Value for TensorBoard's scalars plugin: a float32 0-d tensor."""
    return _summary_value(tag, "scalars", _tensor_proto(DT_FLOAT, (), np.float32(value).tobytes()))


def histogram_buckets(values, bucket_count=HISTOGRAM_BUCKETS):
    """``[bucket_count, 3]`` float64 (left edge, right edge, count), binned as TensorBoard bins.

    Equal-width buckets from min to max (the last one closed); all values in
    the last bucket when they are all equal; zeros when there are none.
    """
    data = np.asarray(values, dtype=np.float64).reshape(-1)
    if bucket_count == 0 or data.size == 0:
        return np.zeros((bucket_count, 3))
    low, high = data.min(), data.max()
    if high == low:
        counts = np.zeros(bucket_count)
        counts[-1] = data.size
        return np.stack([np.full(bucket_count, low), np.full(bucket_count, low), counts], axis=1)
    width = (high - low) / bucket_count
    indices = np.minimum(np.floor((data - low) / width).astype(np.int64), bucket_count - 1)
    counts = np.bincount(indices, minlength=bucket_count).astype(np.float64)
    edges = np.linspace(low, high, bucket_count + 1)
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def histogram_summary(tag, values, bucket_count=HISTOGRAM_BUCKETS):
    buckets = np.ascontiguousarray(histogram_buckets(values, bucket_count), dtype="<f8")
    return _summary_value(tag, "histograms", _tensor_proto(DT_DOUBLE, buckets.shape, buckets.tobytes()))


def keras_model_summary(tag, model_json):
    """The model's JSON config for TensorBoard's graph dashboard (plugin ``graph_keras_model``, content b"1")."""
    return _summary_value(tag, "graph_keras_model", _tensor_proto(DT_STRING, (), strings=[model_json]),
                          plugin_content=b"1")


def _event(step, wall_time=None, summary_values=(), file_version=None):
    """tensorflow.Event: wall_time=1, step=2, file_version=3, summary=5 (Summary.value=1)."""
    out = _field_double(1, time.time() if wall_time is None else wall_time)
    if step:
        out += _field_varint(2, step)
    if file_version is not None:
        out += _field_bytes(3, file_version)
    if summary_values:
        out += _field_bytes(5, b"".join(_field_bytes(1, v) for v in summary_values))
    return out


class EventFileWriter:
    """Appends events to a new ``events.out.tfevents.<time>.<host>.<pid>.<n>.v2`` file in ``log_dir``.

    Records are written whole and flushed after each ``write``, so TensorBoard
    (which reads the file while it grows) never sees half a record.
    """

    _count = 0

    def __init__(self, log_dir):
        os.makedirs(log_dir, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}."
                f"{EventFileWriter._count}.v2")
        EventFileWriter._count += 1
        self.path = os.path.join(log_dir, name)
        self._file = open(self.path, "wb")
        self._write_record(_event(0, file_version=FILE_VERSION))
        self._file.flush()

    def _write_record(self, data):
        self._file.write(frame_record(data))

    def write(self, step, summary_values, wall_time=None):
        """One event at ``step`` holding the given Summary.Value payloads (from the ``*_summary`` functions)."""
        if self._file is None:
            raise ValueError(f"The event file {self.path} is closed.")
        self._write_record(_event(int(step), wall_time, summary_values))
        self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None


# ---- reading ---------------------------------------------------------------------------------------------


def _read_varint(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data):
    """(field number, wire type, value) triples of one message; length-delimited values stay bytes."""
    pos, out = 0, []
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = _read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"Unsupported protobuf wire type {wire} (field {field}).")
        out.append((field, wire, value))
    return out


def _decode_tensor(data):
    dtype, shape, content, strings = 0, [], None, []
    for field, _, value in _fields(data):
        if field == 1:
            dtype = value
        elif field == 2:
            shape = [next((v for f, _, v in _fields(dim) if f == 1), 0) for f, _, dim in _fields(value) if f == 2]
        elif field == 4:
            content = value
        elif field == 8:
            strings.append(value)
    if dtype == DT_STRING:
        return np.array(strings, dtype=object).reshape(shape) if shape else (strings[0] if strings else b"")
    np_dtype = {DT_FLOAT: "<f4", DT_DOUBLE: "<f8"}.get(dtype)
    if np_dtype is None or content is None:
        raise ValueError(f"Cannot decode a tensor of DataType {dtype} without tensor_content.")
    return np.frombuffer(content, dtype=np_dtype).reshape(shape)


def _decode_value(data):
    value = {"tag": None, "plugin_name": None, "plugin_content": b"", "tensor": None}
    for field, _, payload in _fields(data):
        if field == 1:
            value["tag"] = payload.decode("utf8")
        elif field == 8:
            value["tensor"] = _decode_tensor(payload)
        elif field == 9:
            for f, _, plugin_data in _fields(payload):
                if f == 1:
                    for pf, _, pv in _fields(plugin_data):
                        if pf == 1:
                            value["plugin_name"] = pv.decode("utf8")
                        elif pf == 2:
                            value["plugin_content"] = pv
    return value


def read_events(path):
    """The events of a file as dicts ``{wall_time, step, file_version, values: [{tag, plugin_name, ...}]}``.

    Raises ValueError on a truncated record or a checksum mismatch.
    """
    with open(path, "rb") as f:
        data = f.read()
    events, pos = [], 0
    while pos < len(data):
        if pos + 12 > len(data):
            raise ValueError(f"{path}: truncated record header at byte {pos}.")
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if header_crc != masked_crc32c(header):
            raise ValueError(f"{path}: bad length checksum at byte {pos}.")
        body = data[pos + 12:pos + 12 + length]
        if len(body) != length or pos + 16 + length > len(data):
            raise ValueError(f"{path}: truncated record at byte {pos}.")
        (body_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if body_crc != masked_crc32c(body):
            raise ValueError(f"{path}: bad data checksum at byte {pos}.")
        pos += 16 + length
        event = {"wall_time": None, "step": 0, "file_version": None, "values": []}
        for field, _, value in _fields(body):
            if field == 1:
                event["wall_time"] = struct.unpack("<d", value)[0]
            elif field == 2:
                event["step"] = value - (1 << 64) if value >= 1 << 63 else value
            elif field == 3:
                event["file_version"] = value.decode("utf8")
            elif field == 5:
                event["values"] = [_decode_value(v) for f, _, v in _fields(value) if f == 1]
        events.append(event)
    return events
