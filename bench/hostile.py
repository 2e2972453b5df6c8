"""Cost of hostile input against plain text of the same length (not a test).

    python bench/hostile.py [--chars 8000] [--unbounded]

For each hostile text of ``--chars`` characters (runs of ``!``, emoji, ``&``
as left by decoded ``&amp;``, brackets, mixed punctuation without spaces) it prints
the seconds ``hypecheck.check`` takes and the ratio to a plain ad text of the
same length; then a text over spaCy's 1,000,000-character limit, a "billion
laughs" rule file and a fetch from a server that drips its headers.
``--unbounded`` puts spaCy's own tokenizer back, to show the cost before the
bounded tokenizer (keep ``--chars`` small: that cost is quadratic).
"""

from __future__ import annotations

import argparse
import random
import resource
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AD = (ROOT / "tests" / "data" / "clinic_page.txt").read_text("utf-8")


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def plain(n: int) -> str:
    return (AD * (n // len(AD) + 1))[:n]


def hostile(n: int) -> dict[str, str]:
    rng = random.Random(0)
    head = "Exosomes treat acne"
    return {
        "'!' run": head + "!" * n,
        "emoji run": head + "\U0001f9ea" * n,
        "'&' run (decoded &amp;)": head + "&" * n,
        "'(' run": head + "(" * n,
        "mixed punctuation": head + "".join(rng.choice("!?.,;:()[]{}&*#@%\u2728\u2705-") for _ in range(n)),
    }


def bench_texts(nlp, n: int) -> None:
    import hypecheck

    hypecheck.check("warm up", nlp=nlp)
    base, _ = timed(hypecheck.check, plain(n), nlp=nlp)
    print(f"{'plain ad text':<28} {n:>9,} chars {base:8.3f} s")
    for name, text in hostile(n).items():
        took, report = timed(hypecheck.check, text, nlp=nlp)
        print(f"{name:<28} {len(text):>9,} chars {took:8.3f} s  x{took / base:6.1f}  findings {len(report.findings)}")


def bench_long(nlp) -> None:
    import hypecheck

    for n in (1_200_000, 5_000_000):
        text = plain(n)
        try:
            took, report = timed(hypecheck.check, text, nlp=nlp)
        except ValueError as exc:
            print(f"long text {n:>9,} chars: {str(exc)[:60]}")
            continue
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"long text {n:>9,} chars {took:8.1f} s  {len(report.findings):,} findings  peak RSS {rss} MB")


def bench_laughs() -> None:
    from hypecheck.errors import RuleFileError
    from hypecheck.ruleset import read_yaml

    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{b}: &{b} [{', '.join(['*' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "laughs.yml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        started = time.perf_counter()
        try:
            read_yaml(path)
            outcome = "loaded"
        except RuleFileError as exc:
            outcome = f"refused: {exc.problem[:50]}..."
        print(f"billion laughs ({path.stat().st_size} bytes) {time.perf_counter() - started:8.3f} s  {outcome}")


def bench_drip() -> None:
    from hypecheck.fetch import FetchError, fetch

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                for _ in range(60):  # one header byte every 0.5 s: 30 s
                    conn.sendall(b"a")
                    time.sleep(0.5)
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    port = listener.getsockname()[1]
    started = time.perf_counter()
    try:
        fetch(f"http://127.0.0.1:{port}/", allow_loopback=True, timeout=2.0)
        outcome = "fetched"
    except FetchError as exc:
        outcome = str(exc)
    print(f"header drip, deadline 2 s  {time.perf_counter() - started:8.2f} s  {outcome}")
    listener.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=8000)
    parser.add_argument("--unbounded", action="store_true", help="spaCy's own tokenizer (the cost before)")
    parser.add_argument("--skip-long", action="store_true", help="leave out the 1.2 M and 5 M character texts")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import hypecheck

    nlp = hypecheck.load()
    if args.unbounded:
        nlp.tokenizer = nlp.tokenizer.tokenizer
    bench_texts(nlp, args.chars)
    if not args.skip_long:
        bench_long(nlp)
    bench_laughs()
    bench_drip()


if __name__ == "__main__":
    main()
