#!/usr/bin/python3
"""Interpolated modified Kneser-Ney, written from the formulas (Chen & Goodman
1998, as KenLM's lmplz applies them; docs/decoding.md "Language model"), as an
independent reference for test_ngram_lm. Standard library only.

usage: kneser_ney_reference.py TEXT ORDER [--no-unk]

TEXT has one sentence a line, words separated by spaces (an empty line is an
empty sentence). Prints one line per n-gram,
    ngram <TAB> n <TAB> w1 .. wn <TAB> log10 p(wn | w1 .. wn-1) <TAB> log10 back-off or -
and one line per order,
    discounts <TAB> n <TAB> t1 t2 t3 t4 <TAB> D1 D2 D3+ <TAB> fallback 0|1
with full double precision (repr).
"""
import math
import sys
from collections import Counter, defaultdict

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
FALLBACK = (0.5, 1.0, 1.5)


def read_sentences(path):
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f.read().split("\n")[:-1]]


def raw_counts(sentences, order):
    """c(g) for every n-gram g (n <= order) of "<s> words </s>", except the lone <s>."""
    c = Counter()
    for words in sentences:
        tokens = [BOS] + words + [EOS]
        for n in range(1, order + 1):
            for i in range(len(tokens) - n + 1):
                g = tuple(tokens[i:i + n])
                if g != (BOS,):
                    c[g] += 1
    return c


def adjusted_counts(c, order):
    """a(g) = c(g) at the highest order or when g starts with <s>; otherwise
    N1+(. g) = the number of distinct words v with c(v g) > 0."""
    left = defaultdict(set)
    for g in c:
        if len(g) >= 2:
            left[g[1:]].add(g[0])
    a = {}
    for g, count in c.items():
        if len(g) == order or g[0] == BOS:
            a[g] = count
        else:
            a[g] = len(left[g])
    return a


def discounts(a, n):
    """Chen & Goodman eq. 26: Y = t1 / (t1 + 2 t2), D_k = k - (k+1) Y t_{k+1} / t_k;
    the fallback (0.5, 1, 1.5) when t1, t2 or t3 is 0 or some D_k is outside [0, k]."""
    t = [sum(1 for g, v in a.items() if len(g) == n and v == k) for k in (1, 2, 3, 4)]
    if t[0] == 0 or t[1] == 0 or t[2] == 0:
        return t, FALLBACK, True
    y = t[0] / (t[0] + 2 * t[1])
    d = tuple(k - (k + 1) * y * t[k] / t[k - 1] for k in (1, 2, 3))
    if any(not (0 <= d[k - 1] <= k) for k in (1, 2, 3)):
        return t, FALLBACK, True
    return t, d, False


def main():
    path, order = sys.argv[1], int(sys.argv[2])
    add_unk = "--no-unk" not in sys.argv[3:]
    sentences = read_sentences(path)
    c = raw_counts(sentences, order)
    a = adjusted_counts(c, order)

    disc = {}
    for n in range(1, order + 1):
        disc[n] = discounts(a, n)

    def D(n, count):
        d = disc[n][1]
        return d[min(count, 3) - 1]

    # Children of every history h: the w with a(h w) > 0.
    children = defaultdict(list)
    for g in a:
        children[g[:-1]].append(g[-1])

    def total(h):
        return sum(a[h + (w,)] for w in children[h])

    def gamma(h):
        n = len(h) + 1
        return sum(D(n, a[h + (w,)]) for w in children[h]) / total(h)

    vocabulary = {g[0] for g in a if len(g) == 1}
    if add_unk:
        vocabulary.add(UNK)

    memo = {}

    def p(h, w):
        """Interpolated p(w | h) for an n-gram (h w) of the model (or any w when h is empty)."""
        if (h, w) in memo:
            return memo[(h, w)]
        g = h + (w,)
        seen = (a[g] - D(len(g), a[g])) / total(h) if g in a else 0.0
        lower = 1.0 / len(vocabulary) if not h else p(h[1:], w)
        memo[(h, w)] = seen + gamma(h) * lower
        return memo[(h, w)]

    def log10(x):
        return math.log10(x) if x > 0 else -99.0

    entries = [(g[:-1], g[-1]) for g in a]
    if add_unk and (UNK,) not in a:
        entries.append(((), UNK))
    out = []
    for h, w in entries:
        g = h + (w,)
        bow = log10(gamma(g)) if len(g) < order and children.get(g) else None
        out.append((len(g), g, log10(p(h, w)), bow))
    # <s> is only ever a history: probability -99, back-off gamma(<s>).
    out.append((1, (BOS,), -99.0, log10(gamma((BOS,))) if order > 1 else None))
    for n, g, lp, bow in sorted(out):
        print("ngram\t%d\t%s\t%r\t%s" % (n, " ".join(g), lp, "-" if bow is None else repr(bow)))
    for n in range(1, order + 1):
        t, d, fallback = disc[n]
        print("discounts\t%d\t%s\t%s\t%d" % (n, " ".join(map(str, t)),
                                             " ".join(map(repr, d)), int(fallback)))


if __name__ == "__main__":
    main()
