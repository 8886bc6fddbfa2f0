# Python's zlib module (a third-party zlib user) under libaccelkit-zlib:
# compress/decompress and compressobj/decompressobj round trips, output
# compared with the real zlib's bytes given on the command line (a file
# made by the same calls without the shim). Exit status 1 on a mismatch.
import sys
import zlib

data = open(sys.argv[1], "rb").read()
out = bytearray()
for level in (1, 6, 9):
    c = zlib.compress(data, level)
    assert zlib.decompress(c) == data, "decompress"
    co = zlib.compressobj(level, zlib.DEFLATED, 31)
    g = b"".join(co.compress(data[i:i + 65536]) for i in range(0, len(data), 65536))
    g += co.flush()
    do = zlib.decompressobj(31)
    assert do.decompress(g + b"trailing") == data, "decompressobj"
    assert do.unused_data == b"trailing", "unused_data"
    out += c + g
sys.stdout.buffer.write(out)
