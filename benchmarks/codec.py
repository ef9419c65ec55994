"""The staged campaign and the saved plan through the store's codec, against the raw parse of the
same collèges' files, in one run.

    .venv/bin/python benchmarks/codec.py [--colleges 3] [--repeat 5]

Imports and plans generated collèges (a first rollover: everyone is created, the largest plan),
then prints, summed over the collèges, CPU time (best of R):
  raw      lxml iterparse of the XML files (the baseline);
  encode   campaign and plan to what the store keeps: MessagePack, zlib, SHA-256 (store/codec.py);
  decode   the stored bytes back to the frozen dataclasses;
  json     the same values as JSON text and back (msgspec: the shape older stores hold);
and the stored size against the JSON's; then the codec's share of the CPU of a first rollover
of other collèges of the same size (import, plan, apply: benchmarks/rollover.py's), its calls
timed where the store makes them (reading a stored value included).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from bascule.operations import campaign
from bascule.plan.model import Plan
from bascule.snapshot.model import Snapshot
from bascule.store import plans, staging
from bascule.store.codec import decode, encode
from bascule.store.engine import open_store
from bascule.store.plans import pending_plan
from bascule.store.staging import latest_snapshot
from bascule.synthetic.generate import generate_campaigns
from read import raw_parse  # type: ignore[import-not-found]
from rollover import NOW, home_for, rollover, use_hashers, year_folders  # type: ignore[import-not-found]

Values = list[tuple[Snapshot, Plan]]


def cpu(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def planned(root: Path, count: int) -> tuple[Values, list[Path]]:
    colleges = generate_campaigns(root / "exports", colleges=count, seed=1, year=2025)
    settings = home_for(root / "home", colleges)
    engine = open_store(settings.store_url)
    values: Values = []
    for college in colleges:
        campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
        campaign.plan_campaign(settings, college.uai, now=NOW)
        staged, pending = latest_snapshot(engine, college.uai), pending_plan(engine, college.uai)
        assert staged is not None and pending is not None
        values.append((staged.snapshot, pending[1]))
    paths = [p for c in colleges for p in sorted(c.folders[0].iterdir()) if p.suffix != ".csv"]
    return values, paths


class CodecClock:
    """The CPU time spent in the codec's calls of store/plans.py and store/staging.py."""

    CALLS = ("encode", "recall")

    def __init__(self) -> None:
        self.seconds = 0.0
        self._originals = {(m, n): getattr(m, n) for m in (plans, staging) for n in self.CALLS}

    def _timed(self, call: Callable[..., object]) -> Callable[..., object]:
        def timed(*args: object) -> object:
            start = time.process_time()
            try:
                return call(*args)
            finally:
                self.seconds += time.process_time() - start
        return timed

    def __enter__(self) -> CodecClock:
        for (module, name), call in self._originals.items():
            setattr(module, name, self._timed(call))
        return self

    def __exit__(self, *_exc: object) -> None:
        for (module, name), call in self._originals.items():
            setattr(module, name, call)


def codec_share(root: Path, count: int) -> tuple[float, float]:
    """(codec CPU, rollover CPU) of a first rollover of `count` collèges, free hasher."""
    use_hashers(real=False)
    colleges = generate_campaigns(root / "exports", colleges=count, seed=2, year=2025)
    settings = home_for(root / "home", colleges)
    with CodecClock() as clock:
        start = time.process_time()
        rollover(settings, year_folders(colleges))
        return clock.seconds, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--colleges", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        values, paths = planned(Path(folder), options.colleges)
        raw = cpu(lambda: raw_parse(paths), options.repeat)
    with tempfile.TemporaryDirectory() as folder:
        in_codec, whole = codec_share(Path(folder), options.colleges)
    flat = [value for pair in values for value in pair]
    stored = [(encode(value).data, type(value)) for value in flat]
    texts = [(msgspec.json.encode(value), type(value)) for value in flat]
    encoding = cpu(lambda: [encode(value) for value in flat], options.repeat)
    decoding = cpu(lambda: [decode(data, kind) for data, kind in stored], options.repeat)
    json_cpu = cpu(lambda: [msgspec.json.decode(msgspec.json.encode(value), type=type(value))
                            for value in flat], options.repeat)
    assert all(decode(data, kind) == value for (data, kind), value in zip(stored, flat,
                                                                          strict=True))
    size, json_size = sum(len(d) for d, _ in stored), sum(len(t) for t, _ in texts)
    plan_size = sum(len(encode(plan).data) for _, plan in values) / len(values)
    print(f"bascule codec benchmark: {len(values)} collèges (campaign + plan each), raw lxml "
          f"parse {raw:.2f} s CPU")
    for name, seconds in (("encode", encoding), ("decode", decoding), ("json", json_cpu)):
        print(f"  {name:<8} {seconds * 1000:7.1f} ms  {seconds / raw:.3f}x raw")
    print(f"  stored   {size / 1e6:.2f} MB against {json_size / 1e6:.2f} MB of JSON "
          f"({json_size / size:.1f}x smaller); a plan {plan_size / 1e3:.0f} kB")
    print(f"  in a first rollover: the codec {in_codec:.2f} s of {whole:.2f} s CPU "
          f"({in_codec / whole:.1%}), {in_codec / raw:.3f}x raw")


if __name__ == "__main__":
    main()
