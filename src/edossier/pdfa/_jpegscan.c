/* The Huffman-decoding loops of images_jpeg_scan.py in C (issue 19): the same bits decoded, the same
 * checks in the same order, the same answer. images_jpeg_scan.py stays the reference and the fallback
 * where this module could not be compiled; tests/test_jpeg_accel.py runs both on the same hostile inputs
 * and requires identical results. (The module also holds two other byte loops of pdfa/ with a Python twin:
 * the ZIP-signature scan of active.py and the Type 1 font decryption of fontprograms.py, at the end.)
 *
 * Every function decodes one restart interval (already destuffed, `body`) and returns (status, value):
 *   0  fine; value = bits used
 *   1  no Huffman code at bit `value` (the caller words it: corrupt, or truncated near the end)
 *   2  a block with more than 64 coefficients
 *   3  the data ends before the last block (truncated or corrupt)
 *   4  a block with more coefficients than its band
 *   5  a refinement scan codes a value larger than one bit
 * Tables are the 65536-entry lookup tables of _huff_tables() as native int32 (array('i')), indexed by the
 * next 16 bits. Bits past the end of `body` read as one-bits, as the Python code's 0xFF padding does: no
 * Huffman code is all one-bits (ISO 10918-1 C.2), and the position is checked against the real end after
 * every block, so reading past the end is always reported. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
/* memmem: Python.h defines _GNU_SOURCE on Linux */
#include <string.h>

#define TABLE_ENTRIES 65536

/* A bit reader: `pos` is the truth (bits used so far); `acc` caches the bits from `pos` on, MSB first,
 * `nb` of them valid, reloaded from the bytes whenever fewer than 32 remain (enough for a 16-bit code and
 * its value bits, at most 15). Bytes past the end read as 0xFF. */
typedef struct {
    const uint8_t *d;
    Py_ssize_t n;
    uint64_t pos, acc;
    int nb;
} Bits;

static inline void reload(Bits *b) {
    Py_ssize_t q = (Py_ssize_t)(b->pos >> 3);
    uint64_t w;
    if (q + 8 <= b->n) {
        memcpy(&w, b->d + q, 8);
        w = __builtin_bswap64(w);
    } else {
        w = 0;
        for (int i = 0; i < 8; i++)
            w = (w << 8) | (q + i < b->n ? b->d[q + i] : 0xFF);
    }
    unsigned used = (unsigned)(b->pos & 7);
    b->acc = w << used;
    b->nb = 64 - (int)used;
}

/* the next 16 bits */
static inline uint32_t peek16(Bits *b) {
    if (b->nb < 32)
        reload(b);
    return (uint32_t)(b->acc >> 48);
}

/* the next r bits (0 <= r <= 15; only after peek16, with at least 16 + r bits cached) */
static inline uint32_t next_bits(const Bits *b, unsigned r) { return r ? (uint32_t)(b->acc >> (64 - r)) : 0; }

static inline void skip(Bits *b, uint64_t n) {
    b->pos += n;
    if (n < (uint64_t)b->nb) {
        b->acc <<= n;
        b->nb -= (int)n;
    } else {
        b->nb = 0;  /* reload at the next peek */
    }
}

static int get_table(PyObject *obj, Py_buffer *view) {
    if (PyObject_GetBuffer(obj, view, PyBUF_SIMPLE) < 0)
        return -1;
    if (view->len != (Py_ssize_t)(TABLE_ENTRIES * sizeof(int32_t))) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "a Huffman lookup table must hold 65536 int32 entries");
        return -1;
    }
    return 0;
}

static PyObject *result(int status, uint64_t value) { return Py_BuildValue("(iK)", status, (unsigned long long)value); }

/* The MCU-by-MCU scans: sequential (baseline or extended) intervals, `with_ac` = 1, and progressive DC
 * first scans, `with_ac` = 0. `tables`: per block of the MCU, its DC table, then (sequential) its AC table.
 * DC entries: code length + value bits. AC entries: advance | coefficient step << 8 (EOB 128, ZRL 16),
 * -1 invalid symbol, 0 no code. */
static PyObject *decode_mcus(PyObject *args, int with_ac) {
    Py_buffer body;
    Py_ssize_t count;
    PyObject *tables;
    if (!PyArg_ParseTuple(args, "y*nO", &body, &count, &tables))
        return NULL;
    PyObject *seq = PySequence_Fast(tables, "tables must be a sequence");
    if (!seq) {
        PyBuffer_Release(&body);
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), per = with_ac ? 2 : 1, nblocks = n / per, got = 0;
    Py_buffer *views = PyMem_Calloc(n ? n : 1, sizeof(Py_buffer));
    PyObject *out = NULL;
    if (!views) {
        PyErr_NoMemory();
        goto done;
    }
    if (n % per) {
        PyErr_SetString(PyExc_ValueError, "a DC and an AC table for each block");
        goto done;
    }
    for (; got < n; got++)
        if (get_table(PySequence_Fast_GET_ITEM(seq, got), &views[got]) < 0)
            goto done;
    {
        Bits b = {body.buf, body.len, 0, 0, 0};
        uint64_t limit = (uint64_t)body.len * 8 + 16, value = 0;
        int status = 0;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t m = 0; m < count && !status; m++) {
            for (Py_ssize_t i = 0; i < nblocks; i++) {
                int32_t e = ((const int32_t *)views[per * i].buf)[peek16(&b)];
                if (!e) { status = 1; value = b.pos; break; }
                skip(&b, (uint32_t)e);
                if (!with_ac)
                    continue;
                int32_t k = 1;
                const int32_t *ac = views[per * i + 1].buf;
                while (k < 64) {
                    e = ac[peek16(&b)];
                    if (e <= 0) { status = 1; value = b.pos; break; }
                    skip(&b, e & 0xFF);
                    k += e >> 8;
                }
                if (status) break;
                if (k > 64 && k < 128) { status = 2; break; }
                if (b.pos > limit) { status = 3; break; }
            }
            if (!with_ac && !status && b.pos > limit) { status = 1; value = b.pos; }
        }
        Py_END_ALLOW_THREADS
        out = result(status, status ? value : b.pos);
    }
done:
    for (Py_ssize_t i = 0; i < got; i++)
        PyBuffer_Release(&views[i]);
    PyMem_Free(views);
    Py_DECREF(seq);
    PyBuffer_Release(&body);
    return out;
}

static PyObject *sequential(PyObject *self, PyObject *args) { return decode_mcus(args, 1); }

static PyObject *progressive_dc(PyObject *self, PyObject *args) { return decode_mcus(args, 0); }

static inline int popcount64(uint64_t x) { return __builtin_popcountll(x); }

/* progressive AC scan of one component (ISO 10918-1 G.1.2.2, G.1.2.3): `count` blocks from block `first`;
 * `mask` (array('Q'), writable) holds, per block, the coefficients already non-zero. AC entries: code
 * length | symbol << 8, 0 no code. refine = 0: first scan of the band; 1: refinement. */
static PyObject *progressive_ac(PyObject *self, PyObject *args) {
    Py_buffer body, table, maskv;
    Py_ssize_t count, first;
    int ss, se, refine;
    PyObject *table_obj;
    if (!PyArg_ParseTuple(args, "y*nnOiiw*p", &body, &count, &first, &table_obj, &ss, &se, &maskv, &refine))
        return NULL;
    PyObject *out = NULL;
    if (get_table(table_obj, &table) < 0) {
        PyBuffer_Release(&body);
        PyBuffer_Release(&maskv);
        return NULL;
    }
    if (ss < 1 || se > 63 || ss > se || first < 0 || count < 0 ||
        (size_t)maskv.len < (size_t)(first + count) * sizeof(uint64_t)) {
        PyErr_SetString(PyExc_ValueError, "band or block range out of bounds");
        goto done;
    }
    {
        const int32_t *ac = table.buf;
        uint64_t *m = (uint64_t *)maskv.buf + first;
        Bits b = {body.buf, body.len, 0, 0, 0};
        uint64_t limit = (uint64_t)body.len * 8 + 16, value = 0;
        uint64_t band = (se == 63 ? ~0ULL : ((1ULL << (se + 1)) - 1)) & ~((1ULL << ss) - 1);
        uint64_t eobrun = 0;
        int status = 0;
        Py_BEGIN_ALLOW_THREADS
        if (!refine) {
            for (Py_ssize_t bi = 0; bi < count && !status; bi++) {
                if (eobrun) { eobrun--; continue; }
                int k = ss;
                uint64_t nz = m[bi];
                while (k <= se) {
                    int32_t e = ac[peek16(&b)];
                    if (!e) { status = 1; value = b.pos; break; }
                    skip(&b, e & 0xFF);
                    unsigned sym = (unsigned)e >> 8, r = sym >> 4, s = sym & 15;
                    if (s == 0) {
                        if (r < 15) {
                            eobrun = (1ULL << r) - 1 + next_bits(&b, r);
                            skip(&b, r);
                            break;
                        }
                        k += 16;
                        continue;
                    }
                    k += r;
                    if (k > se) { status = 4; break; }
                    nz |= 1ULL << k;
                    skip(&b, s);
                    k += 1;
                }
                if (status) break;
                m[bi] = nz;
                if (b.pos > limit) { status = 1; value = b.pos; }
            }
        } else {
            Py_ssize_t bi = 0;
            while (bi < count && !status) {
                if (eobrun) {  /* blocks wholly inside an end-of-band run: only their correction bits */
                    Py_ssize_t n = (Py_ssize_t)(eobrun < (uint64_t)(count - bi) ? eobrun : (uint64_t)(count - bi));
                    for (Py_ssize_t j = bi; j < bi + n; j++)
                        skip(&b, popcount64(m[j] & band));
                    eobrun -= n;
                    bi += n;
                    if (b.pos > limit) { status = 1; value = b.pos; }
                    continue;
                }
                uint64_t nz = m[bi];
                int k = ss;
                while (k <= se) {
                    int32_t e = ac[peek16(&b)];
                    if (!e) { status = 1; value = b.pos; break; }
                    skip(&b, e & 0xFF);
                    unsigned sym = (unsigned)e >> 8, r = sym >> 4, s = sym & 15;
                    if (s == 0 && r < 15) {
                        eobrun = (1ULL << r) + next_bits(&b, r);
                        skip(&b, r);
                        break;
                    }
                    if (s > 1) { status = 5; break; }
                    if (s) skip(&b, 1);  /* the new coefficient's sign */
                    uint64_t above = ~((1ULL << k) - 1);  /* bits >= k (k <= 63 here) */
                    uint64_t zeros = ~nz & band & above;
                    unsigned n0 = (unsigned)popcount64(zeros);
                    if (n0 > r) {
                        for (unsigned j = 0; j < r; j++)
                            zeros &= zeros - 1;
                        int t = __builtin_ctzll(zeros);
                        skip(&b, popcount64(nz & (((1ULL << t) - 1) & above)));
                        k = t;
                        if (s) nz |= 1ULL << k;
                        k += 1;
                    } else {
                        if (s || n0 < r) { status = 4; break; }
                        skip(&b, popcount64(nz & band & above));
                        k = se + 1;
                    }
                }
                if (status) break;
                if (eobrun) {  /* the rest of the band: one correction bit per non-zero coefficient */
                    if (k <= se) skip(&b, popcount64(nz & band & ~((1ULL << k) - 1)));
                    eobrun -= 1;
                }
                m[bi] = nz;
                bi += 1;
                if (b.pos > limit) { status = 1; value = b.pos; }
            }
        }
        Py_END_ALLOW_THREADS
        out = result(status, status ? value : b.pos);
    }
done:
    PyBuffer_Release(&table);
    PyBuffer_Release(&body);
    PyBuffer_Release(&maskv);
    return out;
}


/* --- the marker scans (ISO 10918-1 B.1.1.2 fill bytes, B.1.1.5 stuffing, B.2.1 RSTn) ----------------- */

static inline int is_rst(uint8_t c) { return c >= 0xD0 && c <= 0xD7; }

/* entropy_end(data, pos): the offset of the first marker after the entropy-coded data starting at pos
 * (RSTn and stuffed 0xFF00 are part of the data); len(data) when there is none. = _entropy_end() */
static PyObject *entropy_end(PyObject *self, PyObject *args) {
    Py_buffer data;
    Py_ssize_t pos;
    if (!PyArg_ParseTuple(args, "y*n", &data, &pos))
        return NULL;
    const uint8_t *d = data.buf;
    Py_ssize_t n = data.len, i = pos < 0 ? 0 : pos, found = n;
    while (i < n) {
        const uint8_t *p = memchr(d + i, 0xFF, (size_t)(n - i));
        if (!p)
            break;
        i = p - d;
        Py_ssize_t j = i + 1;
        while (j < n && d[j] == 0xFF)
            j++;
        if (j >= n)
            break;
        if (d[j] == 0x00 || is_rst(d[j])) {
            i = j + 1;
            continue;
        }
        found = i;
        break;
    }
    PyBuffer_Release(&data);
    return PyLong_FromSsize_t(found);
}

/* --- not JPEG: the polyglot check's scan of a whole PDF (active.zip_signatures) ---------------------- */

/* zip_sig(data, start): the offset >= start of the next "PK\x03\x04" (ZIP local file header) or
 * "PK\x05\x06" (end of central directory), or -1; = re.search(rb"PK(?:\x03\x04|\x05\x06)", data, start).
 * A scanned document is mostly JPEG data, where 'P' comes once in ~256 bytes: memchr skips between them.
 * Two signatures cannot overlap (neither has a 'P' after its first byte), so resuming at a match + 4 finds
 * what finditer finds. The GIL is released: the validator's reader threads hash meanwhile. */
static PyObject *zip_sig(PyObject *self, PyObject *args) {
    Py_buffer data;
    Py_ssize_t start;
    if (!PyArg_ParseTuple(args, "y*n", &data, &start))
        return NULL;
    const uint8_t *d = data.buf;
    Py_ssize_t n = data.len, i = start < 0 ? 0 : start, found = -1;
    Py_BEGIN_ALLOW_THREADS
    while (i + 4 <= n) {
        const uint8_t *p = memchr(d + i, 'P', (size_t)(n - 3 - i));
        if (!p)
            break;
        i = p - d;
        if (d[i + 1] == 'K' && ((d[i + 2] == 3 && d[i + 3] == 4) || (d[i + 2] == 5 && d[i + 3] == 6))) {
            found = i;
            break;
        }
        i++;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    return PyLong_FromSsize_t(found);
}

/* d[a:b] with every 0xFF00 turned into 0xFF (left to right, as bytes.replace does) */
static PyObject *destuffed(const uint8_t *d, Py_ssize_t a, Py_ssize_t b) {
    PyObject *out = PyBytes_FromStringAndSize(NULL, b - a);
    if (!out)
        return NULL;
    uint8_t *o = (uint8_t *)PyBytes_AS_STRING(out);
    Py_ssize_t k = a, w = 0;
    while (k < b) {
        const uint8_t *p = memchr(d + k, 0xFF, (size_t)(b - k));
        Py_ssize_t stop = p ? (p - d) : b;
        memcpy(o + w, d + k, (size_t)(stop - k));
        w += stop - k;
        k = stop;
        if (k < b) {
            o[w++] = 0xFF;
            k += (k + 1 < b && d[k + 1] == 0x00) ? 2 : 1;
        }
    }
    if (_PyBytes_Resize(&out, w) < 0)
        return NULL;
    return out;
}

static int append_interval(PyObject *list, PyObject *body, int rst) {
    if (!body)
        return -1;
    PyObject *item = rst < 0 ? Py_BuildValue("(OO)", body, Py_None) : Py_BuildValue("(Oi)", body, rst);
    Py_DECREF(body);
    if (!item)
        return -1;
    int r = PyList_Append(list, item);
    Py_DECREF(item);
    return r;
}

/* intervals(data, start, end): [(destuffed body, RST number or None after the last), ...] = _intervals() */
static PyObject *intervals(PyObject *self, PyObject *args) {
    Py_buffer data;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "y*nn", &data, &start, &end))
        return NULL;
    if (start < 0) start = 0;
    if (end > data.len) end = data.len;
    if (end < start) end = start;
    const uint8_t *d = data.buf;
    PyObject *list = PyList_New(0);
    Py_ssize_t pos = start;
    while (list) {
        Py_ssize_t i = pos, mi = -1, mj = -1;
        while (i < end) {
            const uint8_t *p = memchr(d + i, 0xFF, (size_t)(end - i));
            if (!p)
                break;
            i = p - d;
            Py_ssize_t j = i + 1;
            while (j < end && d[j] == 0xFF)
                j++;
            if (j < end && is_rst(d[j])) {
                mi = i;
                mj = j;
                break;
            }
            i = j + 1;
        }
        if (mi < 0) {  /* the last interval: trailing 0xFF fill is not data */
            Py_ssize_t b = end;
            while (b > pos && d[b - 1] == 0xFF)
                b--;
            if (append_interval(list, destuffed(d, pos, b), -1) < 0)
                Py_CLEAR(list);
            break;
        }
        if (append_interval(list, destuffed(d, pos, mi), d[mj] - 0xD0) < 0)
            Py_CLEAR(list);
        pos = mj + 1;
    }
    PyBuffer_Release(&data);
    return list;
}

/* Type 1 font decryption (Adobe Type 1 Font Format, 7.1): eexec (r = 55665) and charstrings (r = 4330).
 * fontprograms._t1_decrypt_py is the reference and the fallback; tests/test_pdfa_t1_decrypt.py compares the
 * two on random and hostile inputs. The key must be 0..65535 (the caller checks; here too, never trusted). */
static PyObject *t1_decrypt(PyObject *self, PyObject *args) {
    Py_buffer data;
    long r;
    if (!PyArg_ParseTuple(args, "y*l", &data, &r))
        return NULL;
    if (r < 0 || r > 0xFFFF) {
        PyBuffer_Release(&data);
        PyErr_SetString(PyExc_ValueError, "t1_decrypt: key must be 0..65535");
        return NULL;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, data.len);
    if (!out) {
        PyBuffer_Release(&data);
        return NULL;
    }
    const uint8_t *in = (const uint8_t *)data.buf;
    uint8_t *o = (uint8_t *)PyBytes_AS_STRING(out);
    uint32_t key = (uint32_t)r;
    for (Py_ssize_t i = 0; i < data.len; i++) {
        uint8_t c = in[i];
        o[i] = (uint8_t)(c ^ (key >> 8));
        key = ((c + key) * 52845u + 22719u) & 0xFFFFu;
    }
    PyBuffer_Release(&data);
    return out;
}

/* structure.raw_scan's loop (issue 19): where each indirect object of the raw file starts, where its stream
 * keyword, data and "endstream" are, and where its "endobj" is, the stream data skipped by /Length. The Python
 * loop (structure._raw_scan_py) is the reference and the fallback; tests/test_pdfa_raw_scan.py compares the two
 * on generated and mutated files. The two regular expressions it searches with, in the same terms:
 *   _OBJ_RE    (?<![0-9])(\d{1,10})(W+)(\d{1,5})(W+)obj(?![A-Za-z])   W: NUL, TAB, LF, FF, CR, space
 *   _STREAM_RE >>W*(stream)(?![a-zA-Z])
 * Neither can backtrack into anything but its first match: a run of digits can be followed by white space only
 * as a whole, and white space by a digit or ">>"/"obj"/"stream" only as a whole. So a start is a digit run
 * (not preceded by a digit, the look-behind also before the search's start) of 1 to 10 digits, its white
 * space, a run of 1 to 5 digits, its white space, "obj" and no letter; the first start that fails sends the
 * search on after its first digit run (no start inside it passes the look-behind). */

static inline int rs_ws(uint8_t c) { return c == 0 || c == 9 || c == 10 || c == 12 || c == 13 || c == 32; }
static inline int rs_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static inline int rs_alpha(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

typedef struct {
    Py_ssize_t start, end;
    long long num, gen;
    int single;
} ObjMatch;

static int rs_obj_search(const uint8_t *d, Py_ssize_t n, Py_ssize_t pos, ObjMatch *m) {
    Py_ssize_t i = pos;
    while (i < n) {
        if (!rs_digit(d[i])) {
            i++;
            continue;
        }
        Py_ssize_t s = i, j = i;
        while (j < n && rs_digit(d[j]))
            j++;
        i = j; /* where the search goes on if this start fails */
        if (s > 0 && rs_digit(d[s - 1]))
            continue; /* only at the search's start: the look-behind sees the byte before it */
        if (j - s > 10)
            continue;
        Py_ssize_t k = j;
        while (k < n && rs_ws(d[k]))
            k++;
        if (k == j)
            continue;
        Py_ssize_t t = k;
        while (t < n && rs_digit(d[t]))
            t++;
        if (t == k || t - k > 5)
            continue;
        Py_ssize_t u = t;
        while (u < n && rs_ws(d[u]))
            u++;
        if (u == t || u + 3 > n || memcmp(d + u, "obj", 3) != 0 || (u + 3 < n && rs_alpha(d[u + 3])))
            continue;
        long long num = 0, gen = 0;
        for (Py_ssize_t q = s; q < j; q++)
            num = num * 10 + (d[q] - '0');
        for (Py_ssize_t q = k; q < t; q++)
            gen = gen * 10 + (d[q] - '0');
        m->start = s;
        m->end = u + 3;
        m->num = num;
        m->gen = gen;
        m->single = (k - j == 1 && d[j] == ' ' && u - t == 1 && d[t] == ' ');
        return 1;
    }
    return 0;
}

/* _STREAM_RE.search(raw, pos): the match's start and its group 1's start */
static int rs_stream_search(const uint8_t *d, Py_ssize_t n, Py_ssize_t pos, Py_ssize_t *start, Py_ssize_t *kw) {
    Py_ssize_t i = pos;
    while (i + 1 < n) {
        const uint8_t *g = memchr(d + i, '>', (size_t)(n - 1 - i));
        if (!g)
            return 0;
        i = g - d;
        if (d[i + 1] == '>') {
            Py_ssize_t j = i + 2;
            while (j < n && rs_ws(d[j]))
                j++;
            if (j + 6 <= n && memcmp(d + j, "stream", 6) == 0 && (j + 6 == n || !rs_alpha(d[j + 6]))) {
                *start = i;
                *kw = j;
                return 1;
            }
        }
        i++;
    }
    return 0;
}

/* bytes.find(sub, start, end) */
static Py_ssize_t rs_find(const uint8_t *d, Py_ssize_t n, const char *sub, Py_ssize_t len, Py_ssize_t start,
                          Py_ssize_t end) {
    if (end > n)
        end = n;
    if (start < 0)
        start = 0;
    if (end - start < len)
        return -1;
    const uint8_t *f = memmem(d + start, (size_t)(end - start), sub, (size_t)len);
    return f ? f - d : -1;
}

static inline int rs_eol(uint8_t c) { return c == '\r' || c == '\n'; }

static inline int rs_hex_ok(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f') || rs_ws(c);
}

/* structure.hex_suspicious(body): is there a match of (?<!<)<([^<>]*)> (found left to right, not overlapping)
 * whose content has a byte that is neither a hex digit nor white space, or an odd count of hex digits? */
static int rs_hex_suspicious(const uint8_t *b, Py_ssize_t len) {
    Py_ssize_t i = 0;
    while (i < len) {
        const uint8_t *g = memchr(b + i, '<', (size_t)(len - i));
        if (!g)
            return 0;
        i = g - b;
        if (i > 0 && b[i - 1] == '<') { /* the look-behind, inside the body only (the body is a slice) */
            i++;
            continue;
        }
        Py_ssize_t j = i + 1, digits = 0;
        int bad = 0;
        while (j < len && b[j] != '<' && b[j] != '>') {
            if (!rs_hex_ok(b[j]))
                bad = 1;
            else if (!rs_ws(b[j]))
                digits++;
            j++;
        }
        if (j >= len)
            return 0; /* no '>' after it: no match here, and none later (no '<' is left either) */
        if (b[j] == '<') {
            i++; /* no match at i; the next try is at the next '<' */
            continue;
        }
        if (bad || (digits & 1))
            return 1;
        i = j + 1;
    }
    return 0;
}

/* raw_objects(raw, max_objects, endstream_by_length) -> [(num, gen, start, header, body_end, stream_kw,
 * data_start, endstream, single_spaces, spacing_ok, hex_suspicious)]; endstream_by_length(dict_start, stream_kw, data_start) is
 * structure._endstream_by_length for this document (an offset or -1). */
static PyObject *raw_objects(PyObject *self, PyObject *args) {
    Py_buffer raw;
    Py_ssize_t max_objects;
    PyObject *by_length;
    if (!PyArg_ParseTuple(args, "y*nO", &raw, &max_objects, &by_length))
        return NULL;
    const uint8_t *d = (const uint8_t *)raw.buf;
    Py_ssize_t n = raw.len, pos = 0, kw_start = -1, kw_g1 = -1, kw_from = -1;
    int kw_found = 0;
    PyObject *out = PyList_New(0);
    if (!out)
        goto fail;
    while (pos < n) {
        ObjMatch m;
        if (!rs_obj_search(d, n, pos, &m))
            break;
        Py_ssize_t p = m.end;
        if (kw_from == -1 || kw_from > p || (kw_found && kw_start < p)) {
            kw_found = rs_stream_search(d, n, p, &kw_start, &kw_g1);
            kw_from = p;
        }
        Py_ssize_t eo = kw_found ? rs_find(d, n, "endobj", 6, p, kw_start) : rs_find(d, n, "endobj", 6, p, n);
        Py_ssize_t st = -1, ds = -1, es = -1;
        if (kw_found && eo == -1) {
            st = kw_g1;
            ds = st + 6;
            if (ds + 2 <= n && d[ds] == '\r' && d[ds + 1] == '\n')
                ds += 2;
            else if (ds < n && (d[ds] == '\n' || d[ds] == '\r'))
                ds += 1;
            PyObject *r = PyObject_CallFunction(by_length, "nnn", m.end, st, ds);
            if (!r)
                goto fail;
            es = PyLong_AsSsize_t(r);
            Py_DECREF(r);
            if (es == -1 && PyErr_Occurred())
                goto fail;
            if (es < -1 || es > n) {
                PyErr_SetString(PyExc_ValueError, "raw_objects: endstream offset out of range");
                goto fail;
            }
            if (es == -1)
                es = rs_find(d, n, "endstream", 9, ds, n);
            eo = rs_find(d, n, "endobj", 6, es != -1 ? es : ds, n);
        }
        /* structure._object_facts: obj_spacing's test (6.1.9) and hex_strings' pre-filter (6.1.6) */
        int spacing = m.single && m.end < n && rs_eol(d[m.end]) && (m.start == 0 || rs_eol(d[m.start - 1]));
        if (eo != -1 && (!rs_eol(d[eo - 1]) || (eo + 6 < n && !rs_eol(d[eo + 6]))))
            spacing = 0;
        Py_ssize_t body_end = st != -1 ? st : eo;
        int hex = body_end > m.end && rs_hex_suspicious(d + m.end, body_end - m.end);
        PyObject *t = Py_BuildValue("(LLny#nnnnOOO)", m.num, m.gen, m.start, (const char *)(d + m.start),
                                    m.end - m.start, eo, st, ds, es, m.single ? Py_True : Py_False,
                                    spacing ? Py_True : Py_False, hex ? Py_True : Py_False);
        if (!t)
            goto fail;
        int rc = PyList_Append(out, t);
        Py_DECREF(t);
        if (rc < 0)
            goto fail;
        if (PyList_GET_SIZE(out) > max_objects)
            break;
        pos = eo != -1 ? eo + 6 : m.end;
    }
    PyBuffer_Release(&raw);
    return out;
fail:
    Py_XDECREF(out);
    PyBuffer_Release(&raw);
    return NULL;
}

static PyMethodDef methods[] = {
    {"sequential", sequential, METH_VARARGS, "sequential(body, count, [dc, ac] * blocks) -> (status, value)"},
    {"progressive_dc", progressive_dc, METH_VARARGS, "progressive_dc(body, count, [dc] * blocks) -> (status, value)"},
    {"progressive_ac", progressive_ac, METH_VARARGS,
     "progressive_ac(body, count, first, table, ss, se, mask, refine) -> (status, value)"},
    {"entropy_end", entropy_end, METH_VARARGS, "entropy_end(data, pos) -> offset of the next marker"},
    {"intervals", intervals, METH_VARARGS, "intervals(data, start, end) -> [(destuffed body, RST number or None)]"},
    {"zip_sig", zip_sig, METH_VARARGS, "zip_sig(data, start) -> offset of the next ZIP local or end signature, or -1"},
    {"raw_objects", raw_objects, METH_VARARGS,
     "raw_objects(raw, max_objects, endstream_by_length) -> [(num, gen, start, header, body_end, stream_kw, "
     "data_start, endstream, single_spaces, spacing_ok, hex_suspicious)]"},
    {"t1_decrypt", t1_decrypt, METH_VARARGS, "t1_decrypt(data, key) -> Type 1 eexec / charstring decryption"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_jpegscan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__jpegscan(void) { return PyModule_Create(&module); }
