#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus (tests/fuzz/corpus/): a few valid and a few broken files each.

Standard library only (no numpy): the .npy, .npz and IDX bytes are written by hand, as their
formats describe them (io/npy.h, model/weights_io.h, io/idx.h). Run from anywhere:
    python3 tests/fuzz/make_corpus.py
The output is deterministic; the files are committed, so this only documents how they were made.
"""
import gzip
import io
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def npy(shape, values, descr="<f4", fortran=False, major=1, dict_text=None):
    """An .npy array: magic, version, header length, the padded header dict, the data."""
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    header = dict_text or "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape_text)
    length_bytes = 2 if major == 1 else 4
    while (6 + 2 + length_bytes + len(header) + 1) % 64:
        header += " "
    header += "\n"
    length = struct.pack("<H" if major == 1 else "<I", len(header))
    fmt = {"<f4": "<%df", "<f8": "<%dd", ">f4": ">%df"}.get(descr, "<%df")
    data = struct.pack(fmt % len(values), *values)
    return b"\x93NUMPY" + bytes([major, 0]) + length + header.encode("latin-1") + data


def values(n, start=0.25):
    return [start + 0.5 * i for i in range(n)]


# The fixed model of fuzz_weights.cpp: its arrays and shapes.
MODEL = [("dense/kernel", (2, 3)), ("dense/bias", (3,)), ("bn/gamma", (3,)), ("bn/beta", (3,)),
         ("bn/moving_mean", (3,)), ("bn/moving_variance", (3,)), ("out/kernel", (3, 1)), ("out/bias", (1,))]


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def npz(arrays, compression=zipfile.ZIP_STORED, deflated=()):
    """A zip of name.npy entries, as numpy.savez (stored) or savez_compressed (deflated) writes;
    the arrays named in `deflated` are deflated whatever `compression` says."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in arrays:
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if name in deflated else compression
            z.writestr(info, data)
    return out.getvalue()


def set_declared_size(zip_bytes, name, size):
    """The archive with the uncompressed size of entry `name` set to `size`, in its local header
    and in the central directory alike (a forged, but consistent, zip directory)."""
    b = bytearray(zip_bytes)
    entry = (name + ".npy").encode()
    local = b.find(b"PK\x03\x04")
    while b[local + 30:local + 30 + len(entry)] != entry:
        local = b.find(b"PK\x03\x04", local + 1)
    central = b.find(b"PK\x01\x02")
    while b[central + 46:central + 46 + len(entry)] != entry:
        central = b.find(b"PK\x01\x02", central + 1)
    b[local + 22:local + 26] = struct.pack("<I", size)
    b[central + 24:central + 28] = struct.pack("<I", size)
    return bytes(b)


def model_arrays(**replace):
    return [(name, replace.get(name, npy(shape, values(count(shape))))) for name, shape in MODEL]


def idx(dims, data, dtype=0x08):
    return bytes([0, 0, dtype, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data


def gz(data):
    return gzip.compress(data, mtime=0)


def write(folder, name, data):
    path = os.path.join(HERE, "corpus", folder)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def main():
    good = npz(model_arrays())
    write("weights", "valid-stored.npz", good)
    write("weights", "valid-deflated.npz", npz(model_arrays(), zipfile.ZIP_DEFLATED))
    write("weights", "valid-npy-v2.npz", npz(model_arrays(**{"out/kernel": npy((3, 1), values(3), major=2)})))
    write("weights", "empty-zip.npz", npz([]))
    write("weights", "truncated.npz", good[: len(good) // 2])
    write("weights", "not-a-zip.npz", b"this is not a weights file\n")
    write("weights", "wrong-dtype.npz", npz(model_arrays(**{"out/bias": npy((1,), [1.0], descr="<f8")})))
    write("weights", "wrong-shape.npz", npz(model_arrays(**{"dense/kernel": npy((3, 2), values(6))})))
    write("weights", "missing-array.npz", npz(model_arrays()[:-1]))
    write("weights", "bad-header.npz",
          npz(model_arrays(**{"bn/gamma": npy((3,), values(3), dict_text="{'descr': '<f4', 'shape': (3,")})))
    # Decompression bombs, small ones: dense/kernel declares (2, 3) and inflates on with 4 MiB of
    # zeros (about 4 KB deflated). In the first the zip directory tells the truth; in the second it
    # is forged to agree with the header, so that only the inflated stream runs past it.
    kernel = npy((2, 3), values(6))
    bomb = npz(model_arrays(**{"dense/kernel": kernel + bytes(4 << 20)}), deflated=("dense/kernel",))
    write("weights", "bomb.npz", bomb)
    write("weights", "bomb-forged-size.npz", set_declared_size(bomb, "dense/kernel", len(kernel)))

    write("npy", "matrix.npy", npy((2, 3), values(6)))
    write("npy", "vector-v2.npy", npy((4,), values(4), major=2))
    write("npy", "scalar.npy", npy((), [1.5]))
    write("npy", "empty.npy", npy((0, 3), []))
    write("npy", "any-key-order.npy",
          npy((2,), values(2), dict_text="{ \"shape\" :(2 ,) ,'fortran_order':False,\t'descr' : \"<f4\"}"))
    write("npy", "fortran.npy", npy((2, 2), values(4), fortran=True))
    write("npy", "float64.npy", npy((2,), values(2), descr="<f8"))
    write("npy", "short-data.npy", npy((2, 3), values(6))[:-3])
    write("npy", "malformed.npy", npy((2,), values(2), dict_text="{'descr': '<f4', 'fortran_order': Fals"))

    labels = idx((10,), bytes(range(10)))
    images = idx((2, 3, 3), bytes(range(0, 252, 14)))  # 18 values
    write("idx", "labels-idx1-ubyte", labels)
    write("idx", "images-idx3-ubyte", images)
    write("idx", "images-idx3-ubyte.gz", gz(images))
    write("idx", "two-members.gz", gz(idx((4,), b"\x01\x02")) + gz(b"\x03\xff"))
    write("idx", "bad-magic", b"\x01\x00" + images[2:])
    write("idx", "float-type", idx((2, 2), bytes(16), dtype=0x0D))
    write("idx", "truncated-data", images[:-4])
    write("idx", "trailing-garbage", labels + b"xyz")
    write("idx", "five-dims", idx((1, 1, 1, 1, 1), b"x"))
    write("idx", "truncated.gz", gz(images)[:20])
    write("idx", "bomb.gz", gz(images + bytes(4 << 20)))  # 2 images, then 4 MiB of zeros: about 4 KB


if __name__ == "__main__":
    main()
