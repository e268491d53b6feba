"""The archive's encryption: a stream of AES-256-GCM chunks, so a dump of any size never sits in memory.

Layout (all integers big-endian)::

    header   = b"SHAHOBAK" | version (1 byte) | salt (16) | nonce prefix (4) | chunk size (4)
    keycheck = HMAC-SHA256(check key, header)                       (32 bytes)
    chunk*   = flag (1: 0 = more follow, 1 = last) | length (4) | ciphertext with its 16-byte tag

The key from the environment (SHAHO_BACKUP_KEY, 32 bytes in URL-safe base64) is never used as it is:
HKDF with the archive's random salt derives an encryption key and a check key of its own for every
archive. The key check tells a wrong key from a damaged archive before anything is decrypted.
Chunk n is sealed with nonce = prefix | n (8 bytes) and AAD = header | flag, so a changed byte, a
chunk moved, dropped or repeated, a cut-off tail (no chunk flagged last) or bytes after the last
chunk all fail authentication.
"""

import base64
import hashlib
import hmac
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"SHAHOBAK"
VERSION = 1
CHUNK_SIZE = 1024 * 1024
_HEADER = struct.Struct(">8sB16s4sI")
_CHUNK = struct.Struct(">BI")
_TAG = 16
_CHECK = 32


class ArchiveError(Exception):
    """An archive that cannot be read: the message (Japanese) says why, for the person restoring."""


def key_from_text(text):
    """The 32-byte key from its URL-safe base64 form (as `manage.py backup --generate-key` prints it)."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii") + b"==")
    except (ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != 32:
        raise ArchiveError(
            "SHAHO_BACKUP_KEY が正しくありません。32バイトの鍵を URL-safe base64 で指定してください"
            "（`python manage.py backup --generate-key` で作れます）。"
        )
    return key


def key_generate():
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii").rstrip("=")


def _derive(key, salt):
    material = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"shaho backup v1").derive(key)
    return material[:32], material[32:]


def is_encrypted(path):
    with open(path, "rb") as stream:
        return stream.read(len(MAGIC)) == MAGIC


class EncryptingWriter:
    """A write-only file object: what is written goes out encrypted, one chunk at a time, to `raw`."""

    def __init__(self, raw, key, chunk_size=CHUNK_SIZE):
        salt, prefix = os.urandom(16), os.urandom(4)
        self._header = _HEADER.pack(MAGIC, VERSION, salt, prefix, chunk_size)
        enc_key, check_key = _derive(key, salt)
        self._aead = AESGCM(enc_key)
        self._prefix = prefix
        self._raw = raw
        self._size = chunk_size
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        raw.write(self._header)
        raw.write(hmac.new(check_key, self._header, hashlib.sha256).digest())

    def _seal(self, data, last):
        flag = 1 if last else 0
        nonce = self._prefix + struct.pack(">Q", self._counter)
        sealed = self._aead.encrypt(nonce, bytes(data), self._header + bytes([flag]))
        self._raw.write(_CHUNK.pack(flag, len(sealed)))
        self._raw.write(sealed)
        self._counter += 1

    def write(self, data):
        self._buffer += data
        while len(self._buffer) > self._size:
            self._seal(self._buffer[: self._size], last=False)
            del self._buffer[: self._size]
        return len(data)

    def close(self):
        """Seals what is left as the last chunk (possibly empty: the end must be marked)."""
        if not self._closed:
            self._seal(self._buffer, last=True)
            self._buffer = bytearray()
            self._closed = True

    def flush(self):
        pass


class DecryptingReader:
    """A read-only file object over an encrypted archive: every chunk is authenticated before it is handed out."""

    def __init__(self, raw, key):
        self._raw = raw
        header = raw.read(_HEADER.size)
        if len(header) < _HEADER.size or header[: len(MAGIC)] != MAGIC:
            raise ArchiveError("バックアップのアーカイブではありません（先頭の識別子がありません）。")
        _magic, version, salt, prefix, chunk_size = _HEADER.unpack(header)
        if version != VERSION:
            raise ArchiveError(f"このアーカイブの形式（版 {version}）はこのシステムでは読めません。")
        enc_key, check_key = _derive(key, salt)
        check = raw.read(_CHECK)
        if not hmac.compare_digest(check, hmac.new(check_key, header, hashlib.sha256).digest()):
            raise ArchiveError(
                "鍵が違います：SHAHO_BACKUP_KEY がこのアーカイブを作ったときの鍵と一致しません"
                "（またはアーカイブの先頭が壊れています）。何も復元していません。"
            )
        self._header, self._prefix, self._max = header, prefix, chunk_size + _TAG
        self._aead = AESGCM(enc_key)
        self._counter = 0
        self._buffer = b""
        self._pos = 0
        self._ended = False

    def _next_chunk(self):
        head = self._raw.read(_CHUNK.size)
        if len(head) < _CHUNK.size:
            raise ArchiveError("アーカイブが途中で切れています（最後の部分がありません）。何も復元していません。")
        flag, length = _CHUNK.unpack(head)
        if flag not in (0, 1) or length > self._max or length < _TAG:
            raise ArchiveError("アーカイブが壊れているか、書き換えられています。何も復元していません。")
        sealed = self._raw.read(length)
        if len(sealed) < length:
            raise ArchiveError("アーカイブが途中で切れています（最後の部分がありません）。何も復元していません。")
        nonce = self._prefix + struct.pack(">Q", self._counter)
        try:
            data = self._aead.decrypt(nonce, sealed, self._header + bytes([flag]))
        except InvalidTag:
            raise ArchiveError(
                f"アーカイブが壊れているか、書き換えられています（{self._counter + 1}番目のブロックの検証に失敗）。"
                "何も復元していません。"
            ) from None
        self._counter += 1
        if flag == 1:
            self._ended = True
            if self._raw.read(1):
                raise ArchiveError("アーカイブの終わりのあとに余分なデータがあります。何も復元していません。")
        return data

    def read(self, size=-1):
        # Small reads (tarfile asks for 10 KiB at a time) are served from the current chunk by offset.
        parts = []
        wanted = size
        while wanted != 0:
            if self._pos >= len(self._buffer):
                if self._ended:
                    break
                self._buffer, self._pos = self._next_chunk(), 0
                continue
            end = len(self._buffer) if wanted < 0 else min(len(self._buffer), self._pos + wanted)
            parts.append(self._buffer[self._pos : end])
            if wanted > 0:
                wanted -= end - self._pos
            self._pos = end
        return b"".join(parts)

    def drain(self):
        """Reads to the end, so a cut-off or extended archive is caught even past the tar's own end."""
        while not self._ended:
            self._next_chunk()
        self._buffer, self._pos = b"", 0
