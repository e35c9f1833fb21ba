#!/usr/bin/env python3
"""Write an rpm ndb Packages.db containing the header blobs of an rpmdb.sqlite.

Debian 12's rpm 4.18 is built without the ndb backend ("available backends:
sqlite bdb_ro dummy" in `rpm --showrc`), so it cannot write this file. This
script lays the blobs out as rpm's lib/backend/ndb/rpmpkg.c (rpm 4.18) writes
them: a 32-byte header, one 4096-byte slot page of 16-byte slots, then one
blob per package in 16-byte blocks, framed by a head ("BlbS", package index,
timestamp, length) and a tail (Adler-32 of head, blob and padding, length,
"BlbE"). All numbers are little-endian.

Usage: make-ndb-packages-db.py SOURCE_RPMDB_SQLITE OUTPUT_PACKAGES_DB
"""

import sqlite3
import struct
import sys
import zlib

SLOT_PAGE_BYTES = 4096
BLOCK_BYTES = 16
# A fixed timestamp keeps the output byte-for-byte reproducible.
TIMESTAMP = 1733270400


def main(source: str, output: str) -> None:
    connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    rows = connection.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
    connection.close()

    slots = b""
    blobs = b""
    next_block = SLOT_PAGE_BYTES // BLOCK_BYTES
    for package_index, blob in rows:
        head = struct.pack("<4sIII", b"BlbS", package_index, TIMESTAMP, len(blob))
        block_count = -(-(len(head) + len(blob) + 12) // BLOCK_BYTES)
        padding = b"\0" * (block_count * BLOCK_BYTES - len(head) - len(blob) - 12)
        body = head + blob + padding
        tail = struct.pack("<II4s", zlib.adler32(body), len(blob), b"BlbE")
        blobs += body + tail
        slots += struct.pack("<4sIII", b"Slot", package_index, next_block, block_count)
        next_block += block_count

    next_package_index = max((row[0] for row in rows), default=0) + 1
    header = struct.pack("<4sIIII12x", b"RpmP", 0, len(rows) + 1, 1, next_package_index)
    free_slots = (SLOT_PAGE_BYTES - len(header) - len(slots)) // 16
    slot_page = header + slots + struct.pack("<4sIII", b"Slot", 0, 0, 0) * free_slots
    assert len(slot_page) == SLOT_PAGE_BYTES

    with open(output, "wb") as file:
        file.write(slot_page + blobs)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
