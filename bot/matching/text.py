"""How well a mentee's goals meet a mentor's profile: TF-IDF over stemmed words.

A mentee writes "lead my first team through a reorganization"; a mentor's focus areas and
bio say "twenty years of leading teams through reorgs". Both are cut into words, function
words dropped, each word stemmed (Snowball's English stemmer, so "leading" meets "lead"),
and weighted by TF-IDF over the profiles of the program's accepting mentors: a word every
mentor uses ("people") counts for little, a rare one ("reorganization") for a lot. The fit is
the cosine of the two vectors. Nothing is downloaded and nothing is learnt: the same profiles
and goals always give the same numbers, whichever path asks (``/mentor ask``'s index, cohort
matching, one mentor's score), because every path asks ``ProfileTexts`` the same way.

Texts are private: they are read, turned into numbers and let go; only the mentee's own
words that met a profile go into a reason (never the bio's).
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import Stemmer
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

FULL_MATCH = 0.5  # a cosine a short goal and a profile seldom pass: as good as it gets
SHOWN_WORDS = 3
_WORD = re.compile(r"[^\W\d_]+")  # letters only: nothing in a shown word needs escaping
_MIN_LENGTH = 2
STOPWORDS = frozenset(  # English function words, and the words every goal uses
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves also get got like want wants wanted need needs really much many way ways year
    years thing things something lot better good new someone help helping grow growing learn
    learning improve improving mentor mentors mentoring mentee work working don doesn didn isn
    aren wasn won couldn shouldn wouldn ll ve re""".split()  # noqa: SIM905 (easier to read)
)
_local = threading.local()  # a Stemmer object is not safe to share between threads


def _stemmer() -> Stemmer.Stemmer:
    stemmer: Stemmer.Stemmer | None = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english", 10_000)  # with a word cache
    return stemmer


def _kept(text: str) -> list[str]:
    return [
        w for w in _WORD.findall(text.casefold()) if len(w) >= _MIN_LENGTH and w not in STOPWORDS
    ]


def words(text: str) -> list[tuple[str, str]]:
    """(stem, word as written, casefolded) for each word that carries meaning."""
    kept = _kept(text)
    stems: list[str] = _stemmer().stemWords(kept)
    return list(zip(stems, kept, strict=True))


def stems(text: str) -> tuple[str, ...]:
    return tuple(_stemmer().stemWords(_kept(text)))


class _Stems:
    """Every stem seen, numbered in the order first seen (shared by a cache's successors)."""

    def __init__(self) -> None:
        self.number: dict[str, int] = {}
        self.names: list[str] = []
        self._lock = threading.Lock()

    def numbers(self, found: Sequence[str]) -> NDArray[np.int64]:
        with self._lock:
            for stem in found:
                if stem not in self.number:
                    self.number[stem] = len(self.names)
                    self.names.append(stem)
            return np.array([self.number[stem] for stem in found], dtype=np.int64)


class StemCache:
    """A profile's stems (as numbers) by a digest of its text, so that reading the pool again
    after a profile changed cuts only the texts that changed. Holds no text, and only the
    texts of the last pool (``fresh`` starts the next one from what this one knew)."""

    def __init__(
        self, known: dict[bytes, NDArray[np.int64]] | None = None, stems: _Stems | None = None
    ) -> None:
        self._known = known or {}
        self._seen: dict[bytes, NDArray[np.int64]] = {}
        self.stems = stems or _Stems()

    def numbers(self, text: str) -> NDArray[np.int64]:
        digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
        found = self._seen.get(digest)
        if found is None:
            found = self._known.get(digest)
        if found is None:
            found = self.stems.numbers(stems(text))
        self._seen[digest] = found
        return found

    def fresh(self) -> StemCache:
        return StemCache(self._seen, self.stems)


@dataclass(frozen=True)
class GoalsFit:
    """How a mentee's goals meet one profile: the cosine, and the mentee's words that met it
    (strongest first, at most ``SHOWN_WORDS``)."""

    similarity: float = 0.0
    words: tuple[str, ...] = ()


NO_GOALS_FIT = GoalsFit()


@dataclass(frozen=True)
class GoalsQuery:
    """A mentee's goals as a unit vector over the profiles' words; words no profile uses
    still count in its length (a goal that meets a profile in one word of ten is a weak fit)."""

    vector: NDArray[np.float64]
    written: dict[int, str]  # column -> the mentee's word for it


def profile_text(expertise: Sequence[str], bio: str) -> str:
    return " ".join((*expertise, bio))


class ProfileTexts:
    """The profiles (focus areas and bio) of a set of mentors as TF-IDF rows.

    Rows are in user ID order and columns in word order whatever order the mentors came in,
    so two callers holding the same mentors compute bit-for-bit the same similarities.
    """

    column_of: dict[str, int]
    _column_of_number: NDArray[np.int64]
    _present: NDArray[np.int64]
    _number: NDArray[np.int64]  # each cell's stem number

    def __init__(
        self, user_ids: Sequence[str], texts: Sequence[str], *, cache: StemCache | None = None
    ) -> None:
        order = sorted(range(len(user_ids)), key=user_ids.__getitem__)
        cache = cache or StemCache()
        docs = [cache.numbers(texts[i]) for i in order]
        numbers = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        present = np.unique(numbers)
        names = [cache.stems.names[int(k)] for k in present]
        by_name = np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)
        rank = np.zeros(int(present[-1]) + 1 if len(present) else 0, dtype=np.int64)
        rank[present[by_name]] = np.arange(len(present), dtype=np.int64)
        n, width = len(docs), max(1, len(present))
        # (row, word) of every word, then each distinct pair once with its count, in row then
        # the words' alphabetical order: the CSR layout, without a Python loop per word.
        rows = np.repeat(np.arange(n, dtype=np.int64), [len(doc) for doc in docs])
        cells, counts = np.unique(rows * width + rank[numbers], return_counts=True)
        self._finish(
            [user_ids[i] for i in order],
            cells // width,
            present[by_name][cells % width],
            1 + np.log(counts),
            cache.stems,
        )

    def _finish(
        self,
        user_ids: list[str],
        row: NDArray[np.int64],
        number: NDArray[np.int64],
        tf: NDArray[np.float64],
        stems: _Stems,
        *,
        row_of: dict[str, int] | None = None,
        known: ProfileTexts | None = None,
    ) -> None:
        """The TF-IDF rows from each distinct (row, word) with its term frequency, in row then the
        words' alphabetical order: a fresh build and a patched one (``patched``) both end
        here, so they compute bit for bit the same numbers."""
        self.user_ids = user_ids
        self.row_of = row_of if row_of is not None else {u: r for r, u in enumerate(user_ids)}
        self._stems = stems
        self._number = number
        present = np.flatnonzero(np.bincount(number, minlength=len(stems.names)))
        if known is not None and np.array_equal(present, known._present):
            self.column_of, self._column_of_number = known.column_of, known._column_of_number
        else:
            names = [stems.names[int(k)] for k in present]
            by_name = sorted(range(len(names)), key=names.__getitem__)
            # Columns in the stems' alphabetical order whatever the numbering, so every
            # caller adds the same numbers in the same order.
            self.column_of = {names[k]: c for c, k in enumerate(by_name)}
            self._column_of_number = np.zeros(len(stems.names), dtype=np.int64)
            self._column_of_number[present[np.array(by_name, dtype=np.int64)]] = np.arange(
                len(present), dtype=np.int64
            )
        self._present = present
        column = self._column_of_number[number] if len(number) else number
        n, width = len(user_ids), max(1, len(present))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
        self._weigh(row, column, tf, np.bincount(column, minlength=width), indptr)

    def _weigh(
        self,
        row: NDArray[np.int64],
        column: NDArray[np.int64],
        tf: NDArray[np.float64],
        df: NDArray[np.int64],
        indptr: NDArray[np.int64],
    ) -> None:
        """Weights from each cell's term frequency (1 + log of its count) and the columns'
        document frequencies: every build ends here, with the same arithmetic."""
        self._row, self._column, self._tf, self._df = row, column, tf, df
        n, width = len(self.user_ids), len(df)
        self.idf = np.log((1 + n) / (1 + df.astype(np.float64))) + 1
        self.unseen_idf = math.log(1 + n) + 1
        weights = tf * self.idf[column]
        norms = np.sqrt(np.bincount(row, weights=weights * weights, minlength=n))
        self.matrix = csr_matrix(
            (weights / np.where(norms > 0, norms, 1.0)[row], column, indptr), shape=(n, width)
        )

    def _edited(self, texts: dict[str, str | None], cache: StemCache) -> ProfileTexts | None:
        """``patched`` where the same people's texts changed and every word they use now is
        already a column still in use: only their cells are cut and laid in again, and the
        document frequencies move by theirs (None: ``patched``'s longer way)."""
        if any(text is None or key not in self.row_of for key, text in texts.items()):
            return None
        stems, indptr = self._stems, self.matrix.indptr
        edited = sorted(self.row_of[key] for key in texts)
        cut = np.zeros(len(self._row), dtype=bool)
        lengths = np.diff(indptr)
        columns, tfs, at = [], [], []
        removed = 0
        for r in edited:
            key = self.user_ids[r]
            text = texts[key]
            assert text is not None
            found, many = np.unique(cache.numbers(text), return_counts=True)
            names = [stems.names[int(k)] for k in found]
            if any(name not in self.column_of for name in names):
                return None  # a word no profile used: new columns
            by_name = sorted(range(len(found)), key=names.__getitem__)
            cut[indptr[r] : indptr[r + 1]] = True
            columns.append(np.array([self.column_of[names[j]] for j in by_name], dtype=np.int64))
            tfs.append(1 + np.log(many[by_name]))
            removed += int(lengths[r])
            at.append(np.full(len(found), indptr[r + 1] - removed, dtype=np.int64))
            lengths[r] = len(found)
        new_columns = np.concatenate(columns)
        df = self._df.copy()
        np.subtract.at(df, self._column[cut], 1)
        np.add.at(df, new_columns, 1)
        if not df[self._column[cut]].all():
            return None  # a word no profile uses any more: its column goes
        where = np.concatenate(at)
        patched = ProfileTexts.__new__(ProfileTexts)
        patched.user_ids, patched.row_of, patched._stems = self.user_ids, self.row_of, stems
        patched.column_of, patched._column_of_number = self.column_of, self._column_of_number
        patched._present = self._present
        patched._number = np.insert(
            self._number[~cut], where, np.concatenate([
                self._present_numbers()[c] for c in columns
            ])
        )  # fmt: skip
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        patched._weigh(
            np.repeat(np.arange(len(lengths), dtype=np.int64), lengths),
            np.insert(self._column[~cut], where, new_columns),
            np.insert(self._tf[~cut], where, np.concatenate(tfs)),
            df,
            indptr,
        )
        return patched

    def _present_numbers(self) -> NDArray[np.int64]:
        """Each column's stem number."""
        numbers = np.empty(len(self._present), dtype=np.int64)
        numbers[self._column_of_number[self._present]] = self._present
        return numbers

    def patched(self, texts: dict[str, str | None], cache: StemCache) -> ProfileTexts:
        """These rows as they are now (a text; None: gone), the rest as they were: what
        ``ProfileTexts`` of the new set would be, from the words already counted (only the
        changed texts are cut, and no row's words are sorted again)."""
        assert cache.stems is self._stems, "a patch counts words in the build's own numbering"
        if (edited := self._edited(texts, cache)) is not None:
            return edited
        stems = self._stems
        n = len(self.user_ids)
        keep = np.ones(n, dtype=bool)
        keep[[self.row_of[k] for k in texts if k in self.row_of]] = False
        coming = sorted(k for k, text in texts.items() if text is not None)
        if all(k in self.row_of for k in coming) and len(coming) == n - int(keep.sum()):
            user_ids, row_of = self.user_ids, self.row_of  # the same people: rows stay put
            moved = np.arange(n, dtype=np.int64)
        else:
            user_ids = sorted([k for k in self.user_ids if keep[self.row_of[k]]] + coming)
            row_of = {u: r for r, u in enumerate(user_ids)}
            moved = np.array([row_of.get(k, -1) for k in self.user_ids], dtype=np.int64)
        kept = keep[self._row]
        rows, numbers, tfs = [moved[self._row[kept]]], [self._number[kept]], [self._tf[kept]]
        for key in coming:
            text = texts[key]
            assert text is not None
            found, many = np.unique(cache.numbers(text), return_counts=True)
            by_name = sorted(range(len(found)), key=lambda j: stems.names[int(found[j])])
            rows.append(np.full(len(found), row_of[key], dtype=np.int64))
            numbers.append(found[by_name].astype(np.int64))
            tfs.append(1 + np.log(many[by_name]))
        row = np.concatenate(rows)
        order = np.argsort(row, kind="stable")
        patched = ProfileTexts.__new__(ProfileTexts)
        patched._finish(
            user_ids,
            row[order],
            np.concatenate(numbers)[order],
            np.concatenate(tfs)[order],
            stems,
            row_of=row_of,
            known=self,
        )
        return patched

    def __len__(self) -> int:
        return len(self.user_ids)

    def query(self, goals: str) -> GoalsQuery:
        bag: Counter[str] = Counter()
        written: dict[int, str] = {}
        for stem, word in words(goals):
            bag[stem] += 1
            if (k := self.column_of.get(stem)) is not None:
                written.setdefault(k, word)
        vector = np.zeros(self.matrix.shape[1], dtype=np.float64)
        squares = []
        for stem in sorted(bag):
            k = self.column_of.get(stem)
            weight = (1 + math.log(bag[stem])) * (
                float(self.idf[k]) if k is not None else self.unseen_idf
            )
            squares.append(weight * weight)
            if k is not None:
                vector[k] = weight
        norm = math.sqrt(math.fsum(squares))
        return GoalsQuery(vector=vector / norm if norm else vector, written=written)

    def similarities(self, query: GoalsQuery) -> NDArray[np.float64]:
        """The cosine of the goals with every row, in row (user ID) order."""
        if not len(self):
            return np.zeros(0, dtype=np.float64)
        found: NDArray[np.float64] = self.matrix @ query.vector
        return found

    def fit(self, query: GoalsQuery, user_id: str) -> GoalsFit:
        """One mentor's fit, with the same arithmetic as ``similarities`` (its row alone)."""
        row = self.row_of.get(user_id)
        if row is None:
            return NO_GOALS_FIT
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        columns = self.matrix.indices[start:end]
        shares = (self.matrix.data[start:end] * query.vector[columns]).tolist()
        return _row_fit(shares, columns.tolist(), query.written)

    def fits(
        self, queries: Sequence[GoalsQuery], pairs: Sequence[tuple[int, str]]
    ) -> list[GoalsFit]:
        """``fit`` for many pairs (an index into ``queries``, a user ID) at once, bit for bit.

        A cohort explains 10,000 pairs: one ``fit`` each took half its explaining. Here every
        pair's row is gathered at once and only the cells of the pair's query's words are
        multiplied (``written`` names every column a query weighs; any other cell's share is
        0.0, which adds nothing to a sum of shares that are never negative). The few shares
        left are added one by one in the row's order from 0.0, as ``fit`` adds them."""
        found = [NO_GOALS_FIT] * len(pairs)
        rows = np.array([self.row_of.get(user_id, -1) for _, user_id in pairs], dtype=np.int64)
        asked = np.array([q for q, _ in pairs], dtype=np.int64)
        kept = np.flatnonzero(rows >= 0)  # the others have no profile: no fit, as in ``fit``
        if not len(kept):
            return found
        width = self.matrix.shape[1]
        keys, weights = [], []
        for q in np.unique(asked[kept]).tolist():
            query = queries[q]
            columns = np.array(sorted(query.written), dtype=np.int64)
            keys.append(q * width + columns)
            weights.append(query.vector[columns])
        key = np.concatenate(keys)
        if not len(key):
            return found
        weight = np.concatenate(weights)
        indptr = self.matrix.indptr
        first = indptr[rows[kept]]  # each pair's row, its cells one after the other
        counts = indptr[rows[kept] + 1] - first
        pair = np.repeat(kept, counts)
        cells = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(
            first - (np.cumsum(counts) - counts), counts
        )
        columns = self.matrix.indices[cells]
        wanted = asked[pair] * width + columns
        at = np.minimum(np.searchsorted(key, wanted), len(key) - 1)
        hit = key[at] == wanted
        shares = (self.matrix.data[cells[hit]] * weight[at[hit]]).tolist()
        if not shares:
            return found
        met_pairs, met_columns = pair[hit], columns[hit].tolist()  # in each pair's row order
        starts = np.flatnonzero(np.diff(met_pairs, prepend=-1)).tolist()
        queried = asked.tolist()
        for k, start, stop in zip(
            met_pairs[starts].tolist(), starts, [*starts[1:], len(shares)], strict=True
        ):
            written = queries[queried[k]].written
            found[k] = _row_fit(shares[start:stop], met_columns[start:stop], written)
        return found


def _row_fit(shares: list[float], columns: list[int], written: Mapping[int, str]) -> GoalsFit:
    """One profile's fit from its row's shares of the goals, in column order: added one by one
    from 0.0, as SciPy's CSR product adds a row's terms (the same bits as ``similarities``),
    with the words of the largest shares. Python numbers, not NumPy scalars: a cohort
    explains 10,000 pairs."""
    if len(shares) == 1:  # one word met: the sum is its share (0.0 + x is x)
        share = shares[0]
        return GoalsFit(similarity=share, words=(written[columns[0]],) if share else ())
    similarity = 0.0
    for share in shares:
        similarity += share
    met = sorted((-share, written[k]) for k, share in zip(columns, shares, strict=True) if share)
    return GoalsFit(similarity=similarity, words=tuple(w for _, w in met[:SHOWN_WORDS]))


def goals_points(similarity: float, weight: float) -> float:
    """The fit's share of ``weight`` points (``scores`` and the NumPy paths alike)."""
    return weight * min(1.0, similarity / FULL_MATCH)
