"""Mutated packages: the validator never raises, and anything it accepts is exactly what was signed."""

from __future__ import annotations

import zipfile

from hypothesis import HealthCheck, given, settings, strategies as st

from edossier.validation.pipeline import validate_package


def members(path):
    try:
        with zipfile.ZipFile(path) as zf:
            return {i.filename: zf.read(i) for i in zf.infolist()}
    except Exception:  # noqa: BLE001
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_package_never_crashes_and_never_lies(three_layers, trust, tmp_path, data):
    original = three_layers["packages"][-1].read_bytes()
    buf = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = data.draw(st.integers(0, len(buf) - 1))
        if kind == "flip":
            buf[pos] ^= data.draw(st.integers(1, 255))
        elif kind == "cut":
            del buf[pos:pos + data.draw(st.integers(1, 64))]
        else:
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=32))
    path = tmp_path / "m.edp"
    path.write_bytes(bytes(buf))
    report = validate_package(path, trust=trust)  # must not raise
    if report.verdict == "accept":
        assert members(path) == members(three_layers["packages"][-1])
