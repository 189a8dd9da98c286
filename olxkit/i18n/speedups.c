/* The translation gate's two per-text steps, compiled: a text's markup shape (shape.py `python_shape`) and whether
 * a translation holds any character the checks look at (checks.py `python_quiet_target`).
 *
 * Each gives exactly what its Python twin gives: the same steps in the same order, each Python string operation a
 * loop over the text's code points. The gate runs them for every translation of every catalog (tens of thousands
 * of texts a build), where in Python each step is a call and a scan. The Python twins stay the reference, and the
 * fallback where this module cannot be built; tests/test_i18n_shape.py compares the two on every text of the
 * course's catalogs, on random Markdown and on random text of the characters the rules look at.
 *
 * Every index is checked against the text's length: the text is a translator's, never trusted.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The classes of the characters below U+0100 (shape._BYTE_CLASS), and shape._cls for the others: set by `setup`. */
static PyObject *byte_class = NULL;
static PyObject *cls_func = NULL;

/* The text's code points, widened once (every scan below is then a plain loop over an array). */
typedef struct {
    const Py_UCS4 *s;
    Py_ssize_t n;
} Text;

#define AT(t, i) ((t)->s[(i)])

typedef struct {
    Py_ssize_t start, end;
} Span;

typedef struct {
    Span *items;
    Py_ssize_t len, cap;
} Spans;

static int
spans_add(Spans *s, Py_ssize_t start, Py_ssize_t end)
{
    if (s->len == s->cap) {
        Py_ssize_t cap = s->cap ? s->cap * 2 : 16;
        Span *items = PyMem_Realloc(s->items, (size_t)cap * sizeof(Span));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        s->items = items;
        s->cap = cap;
    }
    s->items[s->len].start = start;
    s->items[s->len].end = end;
    s->len++;
    return 0;
}

static int
span_order(const void *a, const void *b)
{
    const Span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* str.find(ch, from): -1 when absent or `from` is past the end. */
static Py_ssize_t
find1(const Text *t, Py_UCS4 ch, Py_ssize_t from)
{
    for (Py_ssize_t i = from < 0 ? 0 : from; i < t->n; i++)
        if (AT(t, i) == ch)
            return i;
    return -1;
}

/* str.find(a + b, from) */
static Py_ssize_t
find2(const Text *t, Py_UCS4 a, Py_UCS4 b, Py_ssize_t from)
{
    for (Py_ssize_t i = from < 0 ? 0 : from; i + 1 < t->n; i++)
        if (AT(t, i) == a && AT(t, i + 1) == b)
            return i;
    return -1;
}

static int
contains3(const Text *t, Py_UCS4 a, Py_UCS4 b, Py_UCS4 c)
{
    for (Py_ssize_t i = 0; i + 2 < t->n; i++)
        if (AT(t, i) == a && AT(t, i + 1) == b && AT(t, i + 2) == c)
            return 1;
    return 0;
}

/* shape._INERT's class: what it does NOT match (controls, DEL, ASCII digits and the listed ASCII marks). */
static int
is_inert(Py_UCS4 c)
{
    if (c <= 0x1f || c == 0x7f || (c >= '0' && c <= '9'))
        return 0;
    switch (c) {
    case '!': case '$': case '&': case '(': case ')': case '*': case '<': case '>': case '[': case '\\':
    case ']': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
        return 0;
    }
    return 1;
}

/* shape._LINE_START's class `[-+*>#|=~_:`$\d.)\[\]! \t]` (without `|` and `$`: _DOLLAR_STARTS_RUN's). */
static int
is_line_start(Py_UCS4 c, int with_pipe_and_dollar)
{
    switch (c) {
    case '-': case '+': case '*': case '>': case '#': case '=': case '~': case '_': case ':': case '`':
    case '.': case ')': case '[': case ']': case '!': case ' ': case '\t':
        return 1;
    case '|': case '$':
        return with_pipe_and_dollar;
    }
    return Py_UNICODE_ISDECIMAL(c); /* the regex engine's `\d` */
}

/* The end of shape._LINE_START's match at `pos` (a line start), or `pos` when it does not match there. */
static Py_ssize_t
line_start_end(const Text *t, Py_ssize_t pos)
{
    while (pos < t->n && is_line_start(AT(t, pos), 1))
        pos++;
    return pos;
}

/* shape._DOLLAR_STARTS_RUN.search(text): a line whose marks are followed by `$`. */
static int
dollar_starts_run(const Text *t)
{
    Py_ssize_t pos = 0;
    for (;;) {
        Py_ssize_t i = pos;
        while (i < t->n && is_line_start(AT(t, i), 0))
            i++;
        if (i < t->n && AT(t, i) == '$')
            return 1;
        Py_ssize_t nl = find1(t, '\n', pos);
        if (nl < 0)
            return 0;
        pos = nl + 1;
    }
}

/* quick.MARKUP_START.search(text): a `<` or `&` not followed by a space, a tab or a line break. */
static int
markup_start(const Text *t)
{
    for (Py_ssize_t i = 0; i < t->n; i++) {
        Py_UCS4 c = AT(t, i);
        if (c == '<' || c == '&') {
            if (i + 1 >= t->n)
                return 1;
            Py_UCS4 d = AT(t, i + 1);
            if (d != ' ' && d != '\t' && d != '\n')
                return 1;
        }
    }
    return 0;
}

/* Where the characters the rules start at are, found in the one pass that also looks for the marks that give no
 * shape (-1: nowhere). */
typedef struct {
    Py_ssize_t first_tick, last_tick, first_dollar, last_dollar, first_backslash, first_newline;
    int bracket, lt_or_amp, pipe, delimiter;
} Marks;

/* shape._zones, into `spans` (unsorted, as there). */
static int
zones(const Text *t, int block, const Marks *m, Spans *spans)
{
    Py_ssize_t n = t->n;
    int any = m->first_tick >= 0 || m->first_dollar >= 0 || m->first_backslash >= 0 || m->bracket
              || m->first_newline >= 0;
    if (!any && !(n > 0 && Py_UNICODE_ISSPACE(AT(t, n - 1))) && !(block && line_start_end(t, 0) > 0))
        return 0;
    if (m->first_tick >= 0 && spans_add(spans, m->first_tick, m->last_tick + 1) < 0)
        return -1;
    Py_ssize_t i = m->first_dollar;
    if (i >= 0) {
        if (spans_add(spans, i > 0 ? i - 1 : 0, m->last_dollar + 2) < 0)
            return -1;
        if (i == 0 && spans_add(spans, n - 1, n) < 0)
            return -1;
    }
    i = m->first_backslash;
    while (i >= 0) {
        if (spans_add(spans, i > 0 ? i - 1 : 0, i + 2) < 0)
            return -1;
        i = find1(t, '\\', i + 2);
    }
    static const Py_UCS4 openers[2][2] = {{'[', '^'}, {']', '['}};
    for (int k = 0; k < 2 && m->bracket; k++) {
        i = find2(t, openers[k][0], openers[k][1], 0);
        while (i >= 0) {
            Py_ssize_t end = find1(t, ']', i + 2);
            end = end < 0 ? n : end + 1;
            if (spans_add(spans, i, end) < 0)
                return -1;
            i = find2(t, openers[k][0], openers[k][1], end);
        }
    }
    i = m->bracket ? find2(t, ']', '(', 0) : -1;
    while (i >= 0) {
        Py_ssize_t j = i + 2;
        long depth = 0;
        for (;;) {
            Py_ssize_t found = -1;
            for (Py_ssize_t k = j; k < n; k++) {
                Py_UCS4 c = AT(t, k);
                if (c == '(' || c == ')' || Py_UNICODE_ISSPACE(c)) {
                    found = k;
                    break;
                }
            }
            j = found >= 0 ? found : n;
            if (found < 0)
                break;
            Py_UCS4 c = AT(t, found);
            if ((c != '(' && c != ')') || (c == ')' && depth == 0))
                break;
            depth += c == '(' ? 1 : -1;
            j += 1;
        }
        if (j < n && AT(t, j) != ')') {
            j = find1(t, '\n', j);
            j = j < 0 ? n : j;
        }
        if (spans_add(spans, i, j + 1 < n ? j + 1 : n) < 0)
            return -1;
        i = find2(t, ']', '(', j);
    }
    /* Each line: in a block text the marks that start it (shape._LINE_START), and the whitespace that ends it. */
    for (Py_ssize_t pos = 0;;) {
        if (block) {
            Py_ssize_t end = line_start_end(t, pos);
            if (end > pos && spans_add(spans, pos, end) < 0)
                return -1;
        }
        Py_ssize_t nl = pos == 0 ? m->first_newline : find1(t, '\n', pos);
        Py_ssize_t stop = nl < 0 ? n : nl;
        Py_ssize_t kept = stop;
        while (kept > pos && Py_UNICODE_ISSPACE(AT(t, kept - 1)))
            kept--;
        if (kept < stop && spans_add(spans, kept, stop) < 0)
            return -1;
        if (nl < 0)
            return 0;
        pos = nl + 1;
    }
}

/* The class of a character (a new reference): shape._BYTE_CLASS below U+0100, shape._cls above. */
static PyObject *
char_class(Py_UCS4 c)
{
    if (c < 256) {
        PyObject *cls = PyList_GET_ITEM(byte_class, c);
        Py_INCREF(cls);
        return cls;
    }
    PyObject *ch = PyUnicode_FromOrdinal((int)c);
    if (ch == NULL)
        return NULL;
    PyObject *cls = PyObject_CallOneArg(cls_func, ch);
    Py_DECREF(ch);
    return cls;
}

static int
is_delimiter(Py_UCS4 c)
{
    return c == '*' || c == '_' || c == '~';
}

/* shape._flanks: (class before, class after) of each run of delimiters, None at either end of the text. */
static PyObject *
flanks(const Text *t)
{
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t i = 0, n = t->n;
    while (i < n) {
        if (!is_delimiter(AT(t, i))) {
            i++;
            continue;
        }
        Py_ssize_t start = i;
        while (i < n && is_delimiter(AT(t, i)))
            i++;
        PyObject *before = start > 0 ? char_class(AT(t, start - 1)) : Py_NewRef(Py_None);
        PyObject *after = before == NULL ? NULL : i < n ? char_class(AT(t, i)) : Py_NewRef(Py_None);
        PyObject *pair = after == NULL ? NULL : PyTuple_Pack(2, before, after);
        Py_XDECREF(before);
        Py_XDECREF(after);
        if (pair == NULL || PyList_Append(out, pair) < 0) {
            Py_XDECREF(pair);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(pair);
    }
    PyObject *tuple = PyList_AsTuple(out);
    Py_DECREF(out);
    return tuple;
}

/* `_INERT.sub("\x00", text[a:b])` appended to `buf`. */
static Py_ssize_t
collapse(const Text *t, Py_ssize_t a, Py_ssize_t b, Py_UCS4 *buf, Py_ssize_t len)
{
    int in_run = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = AT(t, i);
        if (is_inert(c)) {
            if (!in_run)
                buf[len++] = 0;
            in_run = 1;
        }
        else {
            buf[len++] = c;
            in_run = 0;
        }
    }
    return len;
}

/* The (text: str, block: bool) arguments both functions take; -1 with an exception set when they are not. */
static int
text_and_block(const char *name, PyObject *const *args, Py_ssize_t nargs, PyObject **text)
{
    if (nargs != 2 || !PyUnicode_Check(args[0])) {
        PyErr_Format(PyExc_TypeError, "%s(text: str, block: bool)", name);
        return -1;
    }
    *text = args[0];
    if (PyUnicode_READY(*text) < 0)
        return -1;
    return PyObject_IsTrue(args[1]);
}

static PyObject *shape_of(const Text *t, int block);

static PyObject *
shape(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *text;
    int block = text_and_block("shape", args, nargs, &text);
    if (block < 0)
        return NULL;
    if (byte_class == NULL || cls_func == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "olxkit.i18n.speedups.setup() was not called");
        return NULL;
    }
    Py_UCS4 *code_points = PyUnicode_AsUCS4Copy(text);
    if (code_points == NULL)
        return NULL;
    Text t = {code_points, PyUnicode_GET_LENGTH(text)};
    PyObject *result = shape_of(&t, block);
    PyMem_Free(code_points);
    return result;
}

static PyObject *
shape_of(const Text *tp, int block)
{
    Text t = *tp;
    Py_ssize_t n = t.n;

    /* Carriage returns, our own marks, (in a block) reference definitions and admonitions, raw HTML or entities. */
    Marks m = {-1, -1, -1, -1, -1, -1, 0, 0, 0, 0};
    int bang = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = AT(&t, i);
        if (c > '~')
            continue;
        switch (c) {
        case '\r': case 0: case 1:
            Py_RETURN_NONE;
        case '`':
            m.last_tick = i;
            if (m.first_tick < 0)
                m.first_tick = i;
            break;
        case '$':
            m.last_dollar = i;
            if (m.first_dollar < 0)
                m.first_dollar = i;
            break;
        case '\\':
            if (m.first_backslash < 0)
                m.first_backslash = i;
            break;
        case '\n':
            if (m.first_newline < 0)
                m.first_newline = i;
            break;
        case '[': case ']':
            m.bracket = 1;
            break;
        case '<': case '&':
            m.lt_or_amp = 1;
            break;
        case '|':
            m.pipe = 1;
            break;
        case '!':
            bang = 1;
            break;
        case '*': case '_': case '~':
            m.delimiter = 1;
            break;
        }
    }
    if (block && ((m.bracket && find2(&t, ']', ':', 0) >= 0) || (bang && contains3(&t, '!', '!', '!'))))
        Py_RETURN_NONE;
    if (m.lt_or_amp && markup_start(&t))
        Py_RETURN_NONE;
    if (block && m.first_dollar >= 0 && (m.pipe || dollar_starts_run(&t)))
        Py_RETURN_NONE;

    Spans spans = {NULL, 0, 0};
    if (zones(&t, block, &m, &spans) < 0) {
        PyMem_Free(spans.items);
        return NULL;
    }
    if (spans.len > 1)
        qsort(spans.items, (size_t)spans.len, sizeof(Span), span_order);
    PyObject *fl = m.delimiter ? flanks(&t) : PyTuple_New(0);
    if (fl == NULL) {
        PyMem_Free(spans.items);
        return NULL;
    }
    /* Every piece is a part of the text not yet written (plus two marks per zone): the buffer cannot overflow. */
    if (spans.len > (PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(Py_UCS4) - n - 1) / 2) {
        PyMem_Free(spans.items);
        Py_DECREF(fl);
        return PyErr_NoMemory();
    }
    Py_UCS4 *buf = PyMem_Malloc((size_t)(n + 2 * spans.len + 1) * sizeof(Py_UCS4));
    if (buf == NULL) {
        PyMem_Free(spans.items);
        Py_DECREF(fl);
        return PyErr_NoMemory();
    }
    Py_ssize_t len = 0, pos = 0;
    for (Py_ssize_t k = 0; k < spans.len; k++) {
        Py_ssize_t start = spans.items[k].start, end = spans.items[k].end;
        if (start > pos) /* text[pos:start] */
            len = collapse(&t, pos, start < n ? start : n, buf, len);
        if (end > pos) { /* "\x01" + text[max(start, pos):end] + "\x01" */
            Py_ssize_t a = start > pos ? start : pos, b = end < n ? end : n;
            buf[len++] = 1;
            for (Py_ssize_t i = a; i < b; i++)
                buf[len++] = AT(&t, i);
            buf[len++] = 1;
            pos = end;
        }
    }
    PyMem_Free(spans.items);
    if (pos < n)
        len = collapse(&t, pos, n, buf, len);
    Py_ssize_t first = 0;
    if (!block) { /* words before the first mark and after the last are text, whatever they are */
        while (first < len && buf[first] == 0)
            first++;
        while (len > first && buf[len - 1] == 0)
            len--;
    }
    PyObject *skeleton = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf + first, len - first);
    PyMem_Free(buf);
    if (skeleton == NULL) {
        Py_DECREF(fl);
        return NULL;
    }
    PyObject *result = PyTuple_Pack(2, skeleton, fl);
    Py_DECREF(skeleton);
    Py_DECREF(fl);
    return result;
}

/* quick.TRIGGER_LOW's characters: markup, `<` and `:`, placeholders, line breaks and the digits 0-9. */
static int
is_trigger(Py_UCS4 c)
{
    if (c >= '0' && c <= '9')
        return 1;
    switch (c) {
    case '\\': case '`': case '*': case '_': case '[': case ']': case '!': case '<': case '>': case '&': case '$':
    case '~': case '{': case '}': case '^': case '|': case ':': case '%': case '\n':
        return 1;
    }
    return 0;
}

/* checks.python_quiet_target: no trigger character, no digit of another script, no two spaces in a row, and (for
 * a block text) no line that could start a block (checks._BLOCK_LINE; with no trigger and no line break in the
 * text, only its start can: four spaces, or up to three and then `#`, `+` or `-`). */
static PyObject *
quiet_target(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *text;
    int block = text_and_block("quiet_target", args, nargs, &text);
    if (block < 0)
        return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 previous = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80 ? is_trigger(c) || (c == ' ' && previous == ' ') : c >= 0x660 && Py_UNICODE_ISDECIMAL(c))
            Py_RETURN_FALSE;
        previous = c;
    }
    if (block) {
        Py_ssize_t k = 0;
        while (k < n && k < 4 && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)))
            k++;
        if (k == 4)
            Py_RETURN_FALSE;
        if (k < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, k);
            if (c == '#' || c == '+' || c == '-')
                Py_RETURN_FALSE;
        }
    }
    Py_RETURN_TRUE;
}

static PyObject *
setup(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_Check(args[0]) || PyList_GET_SIZE(args[0]) != 256 || !PyCallable_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "setup(byte_class: list of 256 classes, cls: callable)");
        return NULL;
    }
    Py_XSETREF(byte_class, Py_NewRef(args[0]));
    Py_XSETREF(cls_func, Py_NewRef(args[1]));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"shape", (PyCFunction)(void (*)(void))shape, METH_FASTCALL,
     "shape(text, block): the markup shape of `text`, as olxkit.i18n.shape.shape gives it."},
    {"quiet_target", (PyCFunction)(void (*)(void))quiet_target, METH_FASTCALL,
     "quiet_target(text, block): as olxkit.i18n.checks.python_quiet_target."},
    {"setup", (PyCFunction)(void (*)(void))setup, METH_FASTCALL,
     "setup(byte_class, cls): the character classes shape.py uses (called once by shape.py)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "olxkit.i18n.speedups",
    "The translation gate's per-text steps, compiled (shape.py `shape`, checks.py `quiet_target`): the same results.",
    -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit_speedups(void)
{
    return PyModule_Create(&module_def);
}
