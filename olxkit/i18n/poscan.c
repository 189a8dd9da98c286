/* A catalog read for a build, compiled: pofile.py's `python_scan_translations` for the catalogs it finds no fault in.
 *
 * `scan(data)` reads the bytes of a PO file as the Python reader does and returns (table, lines, header, header_line)
 * (usable translations, the line each starts at, the header entry's msgstr and its line), or None for any catalog
 * that is not plainly well formed: text that is not UTF-8, any syntax error, a plural entry, a flag other than
 * `fuzzy`, an escape other than \\ \n \" \t, a `domain` line, a line that begins or ends with a character beyond
 * ASCII where the reader strips white space, no header. The Python reader then reads it and reports what it finds,
 * so every result and every message is the Python reader's (tests/test_poscan.py compares both).
 *
 * A build reads one catalog per language, tens of MB each on a large course; in Python each line is a few calls.
 * Every index is checked against the data's length: the file is a translator's, never trusted.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    char *p;
    Py_ssize_t len, cap;
    int set;
} Field;

enum { OK = 0, BAIL = 1, FAIL = -1 };

static int
field_add(Field *f, const char *s, Py_ssize_t n)
{
    if (f->len + n > f->cap) {
        Py_ssize_t cap = f->cap ? f->cap : 256;
        while (cap < f->len + n)
            cap *= 2;
        char *p = PyMem_Realloc(f->p, (size_t)cap);
        if (p == NULL) {
            PyErr_NoMemory();
            return FAIL;
        }
        f->p = p;
        f->cap = cap;
    }
    memcpy(f->p + f->len, s, (size_t)n);
    f->len += n;
    return OK;
}

/* The quoted string data[a:b] (quotes included) appended to `f`, unescaped; BAIL where it is not a plain string. */
static int
add_quoted(Field *f, const unsigned char *d, Py_ssize_t a, Py_ssize_t b)
{
    if (b - a < 2 || d[a] != '"' || d[b - 1] != '"')
        return BAIL;
    Py_ssize_t i = a + 1, end = b - 1, run = i;
    while (i < end) {
        unsigned char c = d[i];
        if (c == '"')
            return BAIL;
        if (c != '\\') {
            i++;
            continue;
        }
        if (i + 1 >= end)
            return BAIL;
        char out;
        switch (d[i + 1]) {
        case 'n': out = '\n'; break;
        case 't': out = '\t'; break;
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        default: return BAIL;
        }
        if (field_add(f, (const char *)d + run, i - run) < 0 || field_add(f, &out, 1) < 0)
            return FAIL;
        i += 2;
        run = i;
    }
    return field_add(f, (const char *)d + run, end - run);
}

/* Whether data[0:n] is UTF-8 as Python's strict decoder reads it (no surrogates, no overlong forms). */
static int
valid_utf8(const unsigned char *d, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t word;
            memcpy(&word, d + i, 8);
            if (!(word & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        unsigned char c = d[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        int more;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            more = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            more = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            more = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        }
        else
            return 0;
        if (i + more >= n)
            return 0;
        if (d[i + 1] < lo || d[i + 1] > hi)
            return 0;
        for (int k = 2; k <= more; k++)
            if (d[i + k] < 0x80 || d[i + k] > 0xBF)
                return 0;
        i += more + 1;
    }
    return 1;
}

/* The ASCII characters str.strip() removes (the others it removes all begin with a byte >= 0x80 in UTF-8). */
static int
is_space(unsigned char c)
{
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 28 && c <= 31);
}

typedef struct {
    Field ctxt, id, str;
    Field *current;
    int usable;
    Py_ssize_t start, str_line;
    PyObject *seen, *table, *lines, *header;
    Py_ssize_t header_line;
} State;

static PyObject *
text_of(const Field *f)
{
    return PyUnicode_DecodeUTF8(f->p ? f->p : "", f->len, "strict");
}

static void
reset(State *s)
{
    s->ctxt.len = s->id.len = s->str.len = 0;
    s->ctxt.set = s->id.set = s->str.set = 0;
    s->usable = 1;
    s->start = s->str_line = 0;
}

/* The entry read so far, into the table (pofile.py's `finish`). */
static int
finish(State *s)
{
    int rc = OK;
    PyObject *key = NULL, *context = NULL, *msgid = NULL, *value = NULL, *line = NULL;
    if (!s->id.set)
        goto done;
    if (!s->str.set)
        return BAIL;  /* a msgid without msgstr */
    if (s->ctxt.set) {
        if ((context = text_of(&s->ctxt)) == NULL)
            return FAIL;
    }
    else {
        context = Py_NewRef(Py_None);
    }
    if ((msgid = text_of(&s->id)) == NULL) {
        Py_DECREF(context);
        return FAIL;
    }
    key = PyTuple_Pack(2, context, msgid);
    Py_DECREF(context);
    Py_DECREF(msgid);
    if (key == NULL)
        return FAIL;
    int known = PySet_Contains(s->seen, key);
    if (known != 0) {
        rc = known < 0 ? FAIL : BAIL;  /* a message defined twice */
        goto out;
    }
    if (PySet_Add(s->seen, key) < 0) {
        rc = FAIL;
        goto out;
    }
    if (s->id.len == 0) {
        if (s->ctxt.set || s->header != NULL) {
            rc = BAIL;
            goto out;
        }
        if ((s->header = text_of(&s->str)) == NULL) {
            rc = FAIL;
            goto out;
        }
        s->header_line = s->str_line;
    }
    else if (s->usable && s->str.len > 0) {
        if ((value = text_of(&s->str)) == NULL || (line = PyLong_FromSsize_t(s->start)) == NULL
                || PyDict_SetItem(s->table, key, value) < 0 || PyDict_SetItem(s->lines, key, line) < 0)
            rc = FAIL;
    }
out:
    Py_XDECREF(value);
    Py_XDECREF(line);
    Py_DECREF(key);
done:
    reset(s);
    return rc;
}

/* The flags of a `#,` line data[a:b] (after the comma): only `fuzzy` is read here. */
static int
fuzzy_flags(State *s, const unsigned char *d, Py_ssize_t a, Py_ssize_t b)
{
    while (a <= b) {
        Py_ssize_t e = a;
        while (e < b && d[e] != ',')
            e++;
        Py_ssize_t x = a, y = e;
        while (x < y && is_space(d[x]))
            x++;
        while (y > x && is_space(d[y - 1]))
            y--;
        if (y - x != 5 || memcmp(d + x, "fuzzy", 5) != 0)
            return BAIL;
        s->usable = 0;
        a = e + 1;
    }
    return OK;
}

static int
keyword_line(State *s, const unsigned char *d, Py_ssize_t a, Py_ssize_t b, Py_ssize_t number)
{
    const unsigned char *sep = memchr(d + a, ' ', (size_t)(b - a));
    if (sep == NULL)
        sep = memchr(d + a, '\t', (size_t)(b - a));
    if (sep == NULL)
        return BAIL;
    Py_ssize_t k = sep - d, r = k + 1;
    while (r < b && is_space(d[r]))
        r++;
    if (r >= b || d[r] >= 0x80)
        return BAIL;
    Py_ssize_t n = k - a;
    const char *word = (const char *)d + a;
    Field *f;
    if (n == 7 && memcmp(word, "msgctxt", 7) == 0) {
        if (s->id.set && !s->str.set)
            return BAIL;  /* a context after its msgid */
        f = &s->ctxt;
    }
    else if (n == 5 && memcmp(word, "msgid", 5) == 0) {
        if (s->id.set && !s->str.set)
            return BAIL;
        f = &s->id;
    }
    else if (n == 6 && memcmp(word, "msgstr", 6) == 0) {
        if (!s->id.set)
            return BAIL;
        f = &s->str;
    }
    else
        return BAIL;
    if (f != &s->str && s->str.set) {
        int rc = finish(s);
        if (rc != OK)
            return rc;
        s->start = number;
    }
    if (f == &s->str)
        s->str_line = number;
    f->len = 0;
    f->set = 1;
    s->current = f;
    return add_quoted(f, d, r, b);
}

static int
scan_lines(State *s, const unsigned char *d, Py_ssize_t n)
{
    Py_ssize_t number = 0, at = 0;
    int rc;
    while (at < n) {
        const unsigned char *nl = memchr(d + at, '\n', (size_t)(n - at));
        Py_ssize_t a = at, b = nl ? nl - d : n;
        at = b + 1;
        number++;
        while (a < b && is_space(d[a]))
            a++;
        while (b > a && is_space(d[b - 1]))
            b--;
        if (a == b) {
            if (s->str.set || s->id.set || s->ctxt.set) {
                if ((rc = finish(s)) != OK)
                    return rc;
            }
            s->current = NULL;
            continue;
        }
        unsigned char first = d[a];
        if (first >= 0x80)
            return BAIL;  /* perhaps a white space str.strip() removes */
        if (!s->start && first != '"' && !s->id.set && !s->ctxt.set)
            s->start = number;
        if (first == '#') {
            if (s->str.set) {
                if ((rc = finish(s)) != OK)
                    return rc;
                s->start = number;
            }
            s->current = NULL;
            if (b - a >= 2 && d[a + 1] == ',' && !s->id.set) {
                for (Py_ssize_t i = a; i < b; i++)
                    if (d[i] >= 0x80)
                        return BAIL;
                if ((rc = fuzzy_flags(s, d, a + 2, b)) != OK)
                    return rc;
            }
            continue;
        }
        if (d[b - 1] >= 0x80)
            return BAIL;
        if (first == '"') {
            if (s->current == NULL)
                return BAIL;
            rc = add_quoted(s->current, d, a, b);
        }
        else
            rc = keyword_line(s, d, a, b, number);
        if (rc != OK)
            return rc;
    }
    return finish(s);
}

static PyObject *
scan(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    State s;
    memset(&s, 0, sizeof s);
    reset(&s);
    PyObject *result = NULL;
    int rc = BAIL;
    const unsigned char *d = view.buf;
    if (!valid_utf8(d, view.len))
        goto end;
    if ((s.seen = PySet_New(NULL)) == NULL || (s.table = PyDict_New()) == NULL || (s.lines = PyDict_New()) == NULL) {
        rc = FAIL;
        goto end;
    }
    rc = scan_lines(&s, d, view.len);
    if (rc == OK && s.header == NULL)
        rc = BAIL;  /* no header: the Python reader reports it */
    if (rc == OK)
        result = Py_BuildValue("(OOOn)", s.table, s.lines, s.header, s.header_line);
end:
    PyBuffer_Release(&view);
    PyMem_Free(s.ctxt.p);
    PyMem_Free(s.id.p);
    PyMem_Free(s.str.p);
    Py_XDECREF(s.seen);
    Py_XDECREF(s.table);
    Py_XDECREF(s.lines);
    Py_XDECREF(s.header);
    if (rc == BAIL)
        Py_RETURN_NONE;
    return result;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_O,
     "scan(data) -> (table, lines, header, header_line), or None: let pofile.python_scan_translations read it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "olxkit.i18n.poscan", "A catalog read for a build, compiled (see pofile.py).", -1,
    methods,
};

PyMODINIT_FUNC
PyInit_poscan(void)
{
    return PyModule_Create(&module_def);
}
