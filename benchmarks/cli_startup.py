"""How long `leadrelay` takes to answer before it does anything: `--help`, `--version`, and a
command's own `--help` (which loads that command's module), beside a bare `python -c pass`
in the same run. Each is a fresh process, as a person's shell starts it."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "leadrelay --help": [sys.executable, "-m", "worker.cli", "--help"],
    "leadrelay --version": [sys.executable, "-m", "worker.cli", "--version"],
    "leadrelay route --help": [sys.executable, "-m", "worker.cli", "route", "--help"],
    "leadrelay report --help": [sys.executable, "-m", "worker.cli", "report", "--help"],
}


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    print(f"load average {os.getloadavg()[0]:.2f}; {runs} runs each, median and worst")
    for name, command in CASES.items():
        seconds(command)  # warm the file cache
        times = sorted(seconds(command) for _ in range(runs))
        print(f"{name:28s} {statistics.median(times):6.3f} s   worst {times[-1]:6.3f} s")


if __name__ == "__main__":
    main()
