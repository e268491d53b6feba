"""Benchmark: the backup archive's encryption streams — memory stays flat however large the dump.

Encrypts and then decrypts (authenticating every chunk) a generated 512 MiB "dump" through the archive's
chunked AES-256-GCM (shaho/core/backups/crypto.py), file to file, and compares with a plain copy of the
same file (the baseline). Prints throughput, the ratio to the copy and the peak of Python's allocations
(tracemalloc) during each pass. Targets: peak memory < 16 MiB (a few 1 MiB chunks, never the dump),
decrypted bytes identical (a wrong result exits non-zero).
"""

import hashlib
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shaho.core.backups.crypto import DecryptingReader, EncryptingWriter, key_from_text, key_generate  # noqa: E402

SIZE = int(os.environ.get("BENCH_BACKUP_MIB", 512)) * 1024 * 1024
PEAK_TARGET = 16 * 1024 * 1024


def _timed(fn):
    """Seconds of one pass, then the peak of Python's allocations in a second pass (tracemalloc slows it)."""
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def main():
    work = Path(tempfile.mkdtemp(prefix="shaho-bench-backup-"))
    try:
        plain, sealed, opened, copied = (work / n for n in ("dump", "dump.enc", "dump.dec", "dump.copy"))
        block = os.urandom(1024 * 1024)
        with open(plain, "wb") as out:
            for i in range(SIZE // len(block)):
                out.write(hashlib.sha256(block + i.to_bytes(4, "big")).digest() + block[32:])
        key = key_from_text(key_generate())

        def copy():
            shutil.copyfile(plain, copied)

        def encrypt():
            with open(plain, "rb") as source, open(sealed, "wb") as raw:
                writer = EncryptingWriter(raw, key)
                for chunk in iter(lambda: source.read(64 * 1024), b""):
                    writer.write(chunk)
                writer.close()

        def decrypt():
            with open(sealed, "rb") as raw, open(opened, "wb") as out:
                reader = DecryptingReader(raw, key)
                for chunk in iter(lambda: reader.read(10240), b""):  # tarfile's read size
                    out.write(chunk)
                reader.drain()

        base, _ = _timed(copy)
        enc, enc_peak = _timed(encrypt)
        dec, dec_peak = _timed(decrypt)
        mib = SIZE / 1024 / 1024
        same = plain.read_bytes() == opened.read_bytes() if SIZE <= 1024**3 else True
        print(f"dump {mib:,.0f} MiB; archive {sealed.stat().st_size - SIZE:,} bytes of framing")
        print(f"copy      {base:6.2f} s  {mib / base:7.0f} MiB/s  (baseline)")
        print(
            f"encrypt   {enc:6.2f} s  {mib / enc:7.0f} MiB/s  ratio {enc / base:5.1f}  peak {enc_peak / 2**20:5.1f} MiB"
        )
        print(
            f"decrypt   {dec:6.2f} s  {mib / dec:7.0f} MiB/s  ratio {dec / base:5.1f}  peak {dec_peak / 2**20:5.1f} MiB"
        )
        ok = max(enc_peak, dec_peak) < PEAK_TARGET
        print(f"SUMMARY backup_stream peak_memory_mib={max(enc_peak, dec_peak) / 2**20:.1f} target<16 "
              f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
        if not same:
            print("WRONG: the decrypted dump differs from the original")
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
