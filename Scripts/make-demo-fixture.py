#!/usr/bin/env python3
"""Generate the demo fixture case `fixtures/demo/` (docs/check.md).

Deterministic: a fixed seed, no wall clock, no environment lookups, so every
run writes the same bytes. Standard library only (Python 3.11).

    python3 Scripts/make-demo-fixture.py [--out fixtures/demo]

It writes `batches/0001-....csv` to `batches/0007-....csv`, `recorded_at`
(one import night per batch) and `README.md`. It does not touch `expected/`:
regenerate that with shelflog (see README.md of the case).

How it works: a small simulation of a library walks business time from
2024-01-01 to 2024-06-30 in order, so every command is decided against the
state the replay will see at that point (borrow an available copy, return an
open loan, ...). On fixed days it injects the anomalies of docs/reports.md.
Each event is then filed into the batch of its month, except the late ones
(late-March desk slips filed with April, and branch slips of February to June
that arrive in a last batch after June), which therefore carry business times
older than events of earlier batches.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import pathlib
import random
import uuid

SEED = 20240630
UTC = dt.timezone.utc
START = dt.date(2024, 1, 1)
END = dt.date(2024, 6, 30)
LOAN_DAYS = 21
MAX_LOANS = 5

# --------------------------------------------------------------------------
# Catalogue: 40 titles (plus never-added ISBNs for unknown_book).
# --------------------------------------------------------------------------

TITLES = [
    ("Elixir in Action", "Saša Jurić"),
    ("Programming Elixir 1.6", "Dave Thomas"),
    ("Gödel, Escher, Bach: an Eternal Golden Braid", "Douglas R. Hofstadter"),
    ('"Surely You\'re Joking, Mr. Feynman!"', "Richard P. Feynman"),
    ("Cien años de soledad", "Gabriel García Márquez"),
    ("Le Petit Prince", "Antoine de Saint-Exupéry"),
    ("Война и мир", "Лев Толстой"),
    ("三体", "刘慈欣"),
    ("Die Straße der Ölsardinen", "John Steinbeck"),
    ("The C Programming Language, 2nd ed.", "Brian W. Kernighan, Dennis M. Ritchie"),
    ("Structure and Interpretation of Computer Programs", "Harold Abelson, Gerald Jay Sussman"),
    ("Designing Data-Intensive Applications", "Martin Kleppmann"),
    ("Domain-Driven Design: Tackling Complexity in the Heart of Software", "Eric Evans"),
    ("Implementing Domain-Driven Design", "Vaughn Vernon"),
    ("Crime and Punishment", "Fyodor Dostoevsky"),
    ("Les Misérables", "Victor Hugo"),
    ("Der Zauberberg", "Thomas Mann"),
    ("Il nome della rosa", "Umberto Eco"),
    ("Pride and Prejudice", "Jane Austen"),
    ('The Mythical Man-Month, "Anniversary Edition"', "Frederick P. Brooks Jr."),
    ("ノルウェイの森", "村上春樹"),
    ("Frøken Smillas fornemmelse for sne", "Peter Høeg"),
    ("Kafka on the Shore", "Haruki Murakami"),
    ("Dune", "Frank Herbert"),
    ("Neuromancer", "William Gibson"),
    ("The Left Hand of Darkness", "Ursula K. Le Guin"),
    ("Çalıkuşu", "Reşat Nuri Güntekin"),
    ("Pan Tadeusz", "Adam Mickiewicz"),
    ("Refactoring: Improving the Design of Existing Code", "Martin Fowler"),
    ("Clean Code", "Robert C. Martin"),
    ("Snow Crash", "Neal Stephenson"),
    ("Ficciones", "Jorge Luis Borges"),
    ("O Alquimista", "Paulo Coelho"),
    ("Beloved", "Toni Morrison"),
    ("Things Fall Apart", "Chinua Achebe"),
    ("Sapiens: A Brief History of Humankind", "Yuval Noah Harari"),
    ("Kalevala", "Elias Lönnrot"),
    ("Die Verwandlung", "Franz Kafka"),
    ("Emoji Dick 🐳", "Fred Benenson"),
    ("Œuvres complètes, tome 1", "Arthur Rimbaud"),
]

# Book indexes with a special role.
LATE_DONATION = 36     # added on 2024-04-03 but only logged in the late batch
NEW_IN_MARCH = 37      # first added 2024-03-04
BORROWED_BEFORE_ADDED = 38  # borrowed (unknown_book) on 2024-02-12, added 2024-02-20
NEW_IN_APRIL = 39      # first added 2024-04-22
NOT_AT_OPENING = {LATE_DONATION, NEW_IN_MARCH, BORROWED_BEFORE_ADDED, NEW_IN_APRIL}


def isbn13_check(d12: str) -> str:
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(d12))
    return str((10 - total % 10) % 10)


def isbn10_check(d9: str) -> str:
    total = sum(int(c) * (10 - i) for i, c in enumerate(d9))
    r = (11 - total % 11) % 11
    return "X" if r == 10 else str(r)


class Book:
    def __init__(self, idx: int, isbn13: str, title: str, author: str) -> None:
        self.idx = idx
        self.isbn13 = isbn13
        self.title = title
        self.author = author
        # How rows spell this ISBN: forms are chosen per book, and per row.
        self.forms = [isbn13]

    def spelled(self, rng: random.Random) -> str:
        return rng.choice(self.forms)


def make_books(rng: random.Random) -> tuple[list[Book], list[str]]:
    books: list[Book] = []
    used: set[str] = set()
    x_wanted = 2  # ISBN-10 forms ending in X
    for idx, (title, author) in enumerate(TITLES):
        if idx == 0:
            d12 = "978159327584"
        elif idx == 1:
            d12 = "978168050299"
        else:
            prefix = "979" if idx % 9 == 4 else "978"
            while True:
                d9 = "".join(str(rng.randrange(10)) for _ in range(9))
                if prefix == "978" and idx in (5, 17) and x_wanted > 0:
                    if isbn10_check(d9) != "X":
                        continue
                    x_wanted -= 1
                d12 = prefix + d9
                if d12 not in used:
                    break
        used.add(d12)
        isbn13 = d12 + isbn13_check(d12)
        book = Book(idx, isbn13, title, author)
        hyph = f"{isbn13[:3]}-{isbn13[3]}-{isbn13[4:8]}-{isbn13[8:12]}-{isbn13[12]}"
        if idx % 4 == 1:
            book.forms.append(hyph)
        if isbn13.startswith("978") and idx % 3 == 2:
            d9 = isbn13[3:12]
            i10 = d9 + isbn10_check(d9)
            book.forms.append(i10)
            book.forms.append(f"{i10[0]}-{i10[1:4]}-{i10[4:9]}-{i10[9]}")
        if idx in (5, 17):  # make sure the X forms are used
            d9 = isbn13[3:12]
            i10 = d9 + isbn10_check(d9)
            book.forms = [isbn13, i10, f"{i10[0]} {i10[1:4]} {i10[4:9]} {i10[9]}"]
            if idx == 17:
                book.forms.append(i10[:-1] + "x")  # a lower-case check digit
        books.append(book)
    # Valid ISBNs that are never added (unknown_book).
    ghosts = []
    while len(ghosts) < 3:
        d12 = "978" + "".join(str(rng.randrange(10)) for _ in range(9))
        if d12 not in used:
            used.add(d12)
            ghosts.append(d12 + isbn13_check(d12))
    return books, ghosts


# --------------------------------------------------------------------------
# Users: 150 ids of the allowed alphabet, a few upper case.
# --------------------------------------------------------------------------

FIRST = ["anna", "ben", "chloe", "david", "emma", "felix", "greta", "hugo", "ines", "jonas",
         "kai", "lena", "mia", "noah", "olga", "paul", "quinn", "rosa", "sven", "tara",
         "uwe", "vera", "wei", "xenia", "yusuf", "zoe"]
LAST = ["schmidt", "mueller", "garcia", "rossi", "nowak", "kim", "silva", "dubois",
        "jensen", "okafor", "tanaka", "novak", "horvat", "larsen", "moreau", "costa"]


def make_users(rng: random.Random) -> list[str]:
    users: list[str] = []
    seen: set[str] = set()
    while len(users) < 150:
        k = len(users)
        f, l = rng.choice(FIRST), rng.choice(LAST)
        if k % 25 == 7:
            uid = f"LIB-{rng.randrange(10000):04d}"
        elif k % 10 == 3:
            uid = f"{f}.{l}@campus.example"
        elif k % 7 == 2:
            uid = f"{f}_{l[0]}{rng.randrange(100)}"
        elif k % 11 == 5:
            uid = f"{f.capitalize()}-{l.capitalize()}"
        else:
            uid = f"{f}.{l}{rng.randrange(1, 99)}"
        if uid not in seen:
            seen.add(uid)
            users.append(uid)
    return users


# --------------------------------------------------------------------------
# Time formatting: Z or an offset, sometimes a fraction.
# --------------------------------------------------------------------------

OFFSETS = [("Z", 0), ("+01:00", 60), ("+02:00", 120), ("-05:00", -300),
           ("+05:30", 330), ("-03:30", -210), ("+00:00", 0)]


def fmt_time(t: dt.datetime, offset_min: int, zulu: bool) -> str:
    """t is an aware UTC datetime; write it in the given offset."""
    local = (t + dt.timedelta(minutes=offset_min)).replace(tzinfo=None)
    s = local.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        frac = f"{t.microsecond:06d}".rstrip("0")
        s += "." + frac
    if zulu:
        return s + "Z"
    sign = "+" if offset_min >= 0 else "-"
    m = abs(offset_min)
    return s + f"{sign}{m // 60:02d}:{m % 60:02d}"


def pick_style(rng: random.Random) -> tuple[int, bool]:
    r = rng.random()
    if r < 0.68:
        return 0, True
    name, off = rng.choice(OFFSETS[1:])
    return off, False


def random_fraction(rng: random.Random) -> int:
    """Microseconds of a fraction written with 1 to 6 digits."""
    digits = rng.randint(1, 6)
    value = rng.randrange(1, 10 ** digits)
    return value * 10 ** (6 - digits)


# --------------------------------------------------------------------------
# The simulation.
# --------------------------------------------------------------------------

class Event:
    __slots__ = ("t", "command", "book", "isbn", "title", "author", "quantity", "user",
                 "batch", "cid", "text_time", "isbn_text", "extra_title", "seq")

    def __init__(self, t, command, isbn, book=None, title="", author="", quantity=None,
                 user="", batch=None):
        self.t = t
        self.command = command
        self.book = book
        self.isbn = isbn
        self.title = title
        self.author = author
        self.quantity = quantity
        self.user = user
        self.batch = batch
        self.cid = None
        self.text_time = None
        self.isbn_text = None
        self.extra_title = ""
        self.seq = 0


class Library:
    """Mirror of docs/reports.md, used to decide what to emit next."""

    def __init__(self) -> None:
        self.books: dict[str, dict] = {}
        # user -> [[isbn, counted, borrowed at, kept at least until]]
        self.loans: dict[str, list[list]] = {}
        self.events: list[Event] = []

    def active(self, isbn: str) -> bool:
        b = self.books.get(isbn)
        return b is not None and b["status"] == "active"

    def available(self, isbn: str) -> int:
        b = self.books[isbn]
        return b["total"] - b["on_loan"]

    def open_loans(self, user: str) -> list[list]:
        return self.loans.setdefault(user, [])

    def emit(self, ev: Event) -> Event:
        # strictly increasing business times: replay order is the order of
        # this simulation, whatever the positions
        assert not self.events or ev.t > self.events[-1].t, (ev.t, self.events[-1].t)
        ev.seq = len(self.events)
        self.events.append(ev)
        b = self.books.get(ev.isbn)
        if ev.command == "AddBook":
            if b is None or b["status"] == "removed":
                on_loan = b["on_loan"] if b else 0
                self.books[ev.isbn] = {"total": ev.quantity, "on_loan": on_loan,
                                       "status": "active", "title": ev.title,
                                       "author": ev.author}
            else:
                b["total"] += ev.quantity
        elif ev.command == "BorrowBook":
            counted = self.active(ev.isbn)
            if counted:
                b["on_loan"] += 1
            self.open_loans(ev.user).append([ev.isbn, counted, ev.t, ev.t])
        elif ev.command == "ReturnBook":
            for loan in self.open_loans(ev.user):
                if loan[0] == ev.isbn:
                    self.open_loans(ev.user).remove(loan)
                    if loan[1]:
                        b["on_loan"] -= 1
                    break
        elif ev.command == "RemoveBook":
            if self.active(ev.isbn):
                b["status"] = "removed"
        return ev


def month_batch(t: dt.datetime) -> int:
    return t.month  # batch 1..6 = January..June


def simulate(rng: random.Random, books: list[Book], ghosts: list[str], users: list[str]) -> Library:
    lib = Library()
    by_idx = {b.idx: b for b in books}

    def isbn(i: int) -> str:
        return by_idx[i].isbn13

    def add(t, i, qty, title=None, author=None, batch=None):
        bk = by_idx[i]
        return lib.emit(Event(t, "AddBook", bk.isbn13, bk, title or bk.title,
                              author or bk.author, qty, batch=batch))

    def borrow(t, user, isbn_, batch=None, keep_until=None):
        ev = lib.emit(Event(t, "BorrowBook", isbn_, user=user, batch=batch))
        if keep_until is not None:
            lib.open_loans(user)[-1][3] = keep_until
        return ev

    def ret(t, user, isbn_, batch=None):
        return lib.emit(Event(t, "ReturnBook", isbn_, user=user, batch=batch))

    def remove(t, isbn_, batch=None):
        return lib.emit(Event(t, "RemoveBook", isbn_, batch=batch))

    def at(day: dt.date, h: int, m: int, s: int = 0, us: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, h, m, s, us, tzinfo=UTC)

    # Users who keep books for a long time (overdue loans at the end).
    slow = set(rng.sample(users, 18))
    # A user who never has a borrowing limit problem in the random flow but
    # is pushed over it on purpose, and "collectors" that hit max_loans.
    hoarders = users[10:16]

    # Scripted actions: day -> list of (time, callable). Each callable looks
    # at the state when its time comes.
    script: dict[dt.date, list] = {}

    def on(day: dt.date, h: int, m: int, fn, s: int = 0, us: int = 0):
        script.setdefault(day, []).append((at(day, h, m, s, us), fn))

    d = dt.date

    # -- opening stock: January 2 to 10 ---------------------------------
    opening = [b.idx for b in books if b.idx not in NOT_AT_OPENING]
    for k, i in enumerate(opening):
        day = d(2024, 1, 2 + k // 5)
        on(day, 8, 10 + 5 * (k % 5), lambda t, i=i: add(t, i, rng.randint(3, 8)))
    # more copies of a few titles arrive (same title and author: no conflict)
    for k, (day, i) in enumerate([(d(2024, 1, 22), 11), (d(2024, 2, 14), 23),
                                  (d(2024, 3, 11), 3), (d(2024, 4, 8), 29),
                                  (d(2024, 5, 6), 7), (d(2024, 6, 3), 11)]):
        on(day, 8, 30, lambda t, i=i: add(t, i, rng.randint(1, 3)))
    # the same title again with surrounding blanks (trimmed: no conflict)
    on(d(2024, 2, 27), 8, 40,
       lambda t: add(t, 24, 1, title="  " + by_idx[24].title + " ", author=by_idx[24].author + "  "))

    # -- catalog_conflict ------------------------------------------------
    on(d(2024, 2, 5), 9, 5, lambda t: add(t, 2, 1, title="Godel, Escher, Bach: an Eternal Golden Braid"))
    on(d(2024, 3, 20), 9, 15, lambda t: add(t, 14, 2, author="Fiodor Dostoïevski"))
    on(d(2024, 5, 10), 9, 25, lambda t: add(t, 15, 1, title="Les Misérables (abridged)",
                                              author="Victor-Marie Hugo"))
    on(d(2024, 6, 12), 9, 35, lambda t: add(t, 9, 1, title="The C Programming Language"))

    # -- over_borrow: exhaust a title then borrow once more ----------------
    def drain_and_over(t0: dt.datetime, i: int, extra: int = 1):
        bk = isbn(i)
        t = t0
        takers = [u for u in users if len(lib.open_loans(u)) < MAX_LOANS - 1
                  and u not in hoarders and all(l[0] != bk for l in lib.open_loans(u))]
        rng.shuffle(takers)
        while lib.active(bk) and lib.available(bk) > 0:
            borrow(t, takers.pop(), bk)
            t += dt.timedelta(minutes=3)
        for _ in range(extra):
            borrow(t, takers.pop(), bk)  # available <= 0 before it: over_borrow
            t += dt.timedelta(minutes=3)

    on(d(2024, 3, 2), 10, 0, lambda t: drain_and_over(t, 21))
    on(d(2024, 4, 13), 10, 0, lambda t: drain_and_over(t, 30, extra=2))
    on(d(2024, 5, 21), 10, 0, lambda t: drain_and_over(t, 33))

    # -- loan_limit_exceeded: a user collects max_loans, then one more -----
    def fill_and_exceed(t0: dt.datetime, user: str, extra_isbn: str | None = None):
        t = t0
        mine = {l[0] for l in lib.open_loans(user)}
        cands = [b.isbn13 for b in books if lib.active(b.isbn13)
                 and lib.available(b.isbn13) > 1 and b.isbn13 not in mine]
        rng.shuffle(cands)
        while len(lib.open_loans(user)) < MAX_LOANS:
            borrow(t, user, cands.pop())
            t += dt.timedelta(minutes=2)
        borrow(t, user, extra_isbn or cands.pop())  # already has max_loans

    on(d(2024, 2, 15), 15, 0, lambda t: fill_and_exceed(t, hoarders[0]))
    on(d(2024, 4, 2), 15, 0, lambda t: fill_and_exceed(t, hoarders[1]))
    on(d(2024, 6, 5), 15, 0, lambda t: fill_and_exceed(t, hoarders[2]))

    # open loans of unknown books count too ("of any book"): one such loan
    # and four real ones, then a fifth real one
    def limit_with_unknown(t: dt.datetime):
        borrow(t, hoarders[4], ghosts[2], keep_until=at(d(2024, 12, 31), 0, 0))
        fill_and_exceed(t + dt.timedelta(minutes=2), hoarders[4])

    on(d(2024, 3, 14), 11, 30, limit_with_unknown)

    # -- one event, two anomalies: over_borrow + loan_limit_exceeded -------
    def double_trouble(t0: dt.datetime):
        user = hoarders[3]
        bk = isbn(13)
        t = t0
        mine = {l[0] for l in lib.open_loans(user)}
        cands = [b.isbn13 for b in books if lib.active(b.isbn13) and b.isbn13 != bk
                 and lib.available(b.isbn13) > 1 and b.isbn13 not in mine]
        rng.shuffle(cands)
        while len(lib.open_loans(user)) < MAX_LOANS:
            borrow(t, user, cands.pop())
            t += dt.timedelta(minutes=2)
        others = [u for u in users if len(lib.open_loans(u)) < MAX_LOANS - 1
                  and u not in hoarders and all(l[0] != bk for l in lib.open_loans(u))]
        rng.shuffle(others)
        while lib.available(bk) > 0:
            borrow(t, others.pop(), bk)
            t += dt.timedelta(minutes=2)
        borrow(t, user, bk)

    on(d(2024, 5, 15), 11, 0, double_trouble)

    # -- unknown_book -------------------------------------------------------
    # from borrow: an ISBN never added; a removed ISBN; a book added later
    # (kept open to the end: an open loan of a book that does not exist)
    on(d(2024, 1, 25), 12, 0,
       lambda t: borrow(t, users[40], ghosts[0], keep_until=at(d(2024, 12, 31), 0, 0)))
    on(d(2024, 2, 12), 12, 0, lambda t: borrow(t, users[41], isbn(BORROWED_BEFORE_ADDED),
                                               keep_until=at(d(2024, 3, 2), 0, 0)))
    on(d(2024, 2, 20), 8, 15, lambda t: add(t, BORROWED_BEFORE_ADDED, 2))
    # returning the loan opened before the book existed: not counted, so
    # on_loan must not drop below the loans that were counted
    on(d(2024, 3, 1), 16, 0, lambda t: ret(t, users[41], isbn(BORROWED_BEFORE_ADDED)))
    on(d(2024, 6, 18), 12, 30, lambda t: borrow(t, users[42], ghosts[1]))
    # from remove: never added; already removed
    on(d(2024, 3, 8), 18, 0, lambda t: remove(t, ghosts[2]))

    # -- removals, removed_while_on_loan, re-adds ---------------------------
    weeded: list[int] = []

    def weed(t: dt.datetime):
        """Remove a title that has no copy out (clean removal)."""
        i = next(b.idx for b in books if b.idx > 23 and lib.active(b.isbn13)
                 and lib.books[b.isbn13]["on_loan"] == 0)
        weeded.append(i)
        remove(t, isbn(i))

    def remove_with_loans(t: dt.datetime, i: int, keep: dt.datetime | None = None):
        """Remove a title with copies out; with keep, those loans stay open
        until then (so a re-add meets them: on_loan is kept)."""
        bk = isbn(i)
        while lib.books[bk]["on_loan"] < 2:  # make sure copies are out
            u = next(u for u in users if len(lib.open_loans(u)) < MAX_LOANS - 1
                     and u not in hoarders and all(l[0] != bk for l in lib.open_loans(u)))
            borrow(t, u, bk)
            t += dt.timedelta(minutes=1)
        if keep is not None:
            for ls in lib.loans.values():
                for loan in ls:
                    if loan[0] == bk:
                        loan[3] = max(loan[3], keep)
        remove(t, bk)  # removed_while_on_loan

    on(d(2024, 1, 30), 18, 30, weed)
    on(d(2024, 2, 28), 18, 30,
       lambda t: remove_with_loans(t, 19, keep=at(d(2024, 4, 25), 0, 0)))
    on(d(2024, 3, 25), 18, 30, lambda t: remove_with_loans(t, 8))
    on(d(2024, 4, 29), 18, 30,
       lambda t: remove_with_loans(t, 20, keep=at(d(2024, 7, 15), 0, 0)))
    on(d(2024, 5, 30), 18, 30, lambda t: remove_with_loans(t, 31))
    # unknown_book: remove an already removed title; borrow a removed title
    on(d(2024, 2, 2), 18, 45, lambda t: remove(t, isbn(weeded[0])))
    on(d(2024, 3, 27), 12, 10, lambda t: borrow(t, users[43], isbn(8)))
    # re-adds: clean one (new total), one with loans still out (on_loan kept,
    # fewer copies than loans out: available goes negative)
    on(d(2024, 3, 4), 8, 20, lambda t: add(t, weeded[0], 4))
    on(d(2024, 4, 10), 8, 20, lambda t: add(t, 19, 1, title=by_idx[19].title + " (reprint)"))
    on(d(2024, 3, 4), 8, 25, lambda t: add(t, NEW_IN_MARCH, 3))
    on(d(2024, 4, 22), 8, 25, lambda t: add(t, NEW_IN_APRIL, 5))
    on(d(2024, 6, 20), 8, 25, lambda t: add(t, 20, 1))

    # -- return_without_loan ------------------------------------------------
    def stray_return(t: dt.datetime, user: str):
        mine = {l[0] for l in lib.open_loans(user)}
        bk = next(b.isbn13 for b in books if lib.active(b.isbn13) and b.isbn13 not in mine)
        ret(t, user, bk)

    on(d(2024, 1, 19), 17, 0, lambda t: stray_return(t, users[50]))
    on(d(2024, 3, 12), 17, 0, lambda t: stray_return(t, users[51]))
    on(d(2024, 5, 3), 17, 0, lambda t: stray_return(t, users[52]))

    def double_return(t: dt.datetime, user: str):
        bk = next(b.isbn13 for b in books if lib.active(b.isbn13) and lib.available(b.isbn13) > 0
                  and all(l[0] != b.isbn13 for l in lib.open_loans(user)))
        borrow(t, user, bk)
        ret(t + dt.timedelta(days=0, hours=2), user, bk)
        ret(t + dt.timedelta(hours=2, minutes=1), user, bk)  # second time: no loan

    on(d(2024, 4, 17), 10, 30, lambda t: double_return(t, users[53]))

    # -- one user, two copies of one title: a return closes the oldest loan
    def two_copies(t: dt.datetime):
        user = users[80]
        bk = next(b.isbn13 for b in books if b.idx > 2 and lib.active(b.isbn13)
                  and lib.available(b.isbn13) > 2
                  and all(l[0] != b.isbn13 for l in lib.open_loans(user)))
        far = at(d(2024, 12, 31), 0, 0)
        borrow(t, user, bk, keep_until=far)
        borrow(t + dt.timedelta(minutes=5), user, bk, keep_until=far)
        two_copies_isbn.append(bk)

    two_copies_isbn: list[str] = []
    on(d(2024, 5, 27), 10, 0, two_copies)
    on(d(2024, 6, 10), 16, 45, lambda t: ret(t, users[80], two_copies_isbn[0]))

    # -- numeric time order traps ------------------------------------------
    # borrow at :00 and return at :00.5 of the same second (text order of
    # the normalised times is the other way round)
    def same_second(t: dt.datetime, user: str):
        bk = next(b.isbn13 for b in books if lib.active(b.isbn13) and lib.available(b.isbn13) > 0
                  and all(l[0] != b.isbn13 for l in lib.open_loans(user)))
        borrow(t, user, bk)
        ret(t + dt.timedelta(microseconds=500000), user, bk)

    on(d(2024, 2, 8), 10, 0, lambda t: same_second(t, users[60]))
    # loans open at the cut exactly loan_days old (+/- 1 µs) at 2024-03-15
    # end of day: borrowed_at + 21 days < T decides overdue
    cut = dt.datetime(2024, 3, 15, 23, 59, 59, 999999, tzinfo=UTC)
    edge = cut - dt.timedelta(days=LOAN_DAYS)  # 2024-02-23T23:59:59.999999Z
    keep = at(d(2024, 4, 20), 0, 0)
    on(d(2024, 2, 23), 23, 59,
       lambda t: borrow(t, users[61], isbn(27), keep_until=keep), s=59, us=999998)
    on(d(2024, 2, 23), 23, 59,
       lambda t: borrow(t, users[62], isbn(27), keep_until=keep), s=59, us=999999)
    assert edge == at(d(2024, 2, 23), 23, 59, 59, 999999)
    # events on the very last second of the cut days (inclusive cuts)
    on(d(2024, 3, 15), 23, 59, lambda t: borrow(t, users[63], isbn(28)), s=59)
    on(d(2024, 6, 30), 23, 59, lambda t: borrow(t, users[64], isbn(28)), s=59)

    # -- late arrivals ------------------------------------------------------
    # A donation received on 2024-04-03 is only logged with the late branch
    # batch (7), but its borrows went through the desk (April batch): until
    # the late batch is known they are unknown_book.
    on(d(2024, 4, 3), 9, 0, lambda t: add(t, LATE_DONATION, 4, batch=7))

    def donation_borrows(t: dt.datetime):
        bk = isbn(LATE_DONATION)
        for k in range(3):
            u = users[70 + k]
            borrow(t + dt.timedelta(minutes=7 * k), u, bk)
    on(d(2024, 4, 5), 11, 0, donation_borrows)
    def donation_return(t: dt.datetime):
        if any(l[0] == isbn(LATE_DONATION) for l in lib.open_loans(users[70])):
            ret(t, users[70], isbn(LATE_DONATION))
    on(d(2024, 4, 24), 14, 0, donation_return)

    # Branch slips: borrows at the branch (logged late, batch 7) whose
    # returns mostly went through the main desk (month batches). Until the
    # late batch is known those returns are return_without_loan.
    branch_days = [d(2024, 2, 6), d(2024, 2, 21), d(2024, 3, 6), d(2024, 3, 13),
                   d(2024, 4, 9), d(2024, 4, 25), d(2024, 5, 14), d(2024, 6, 11)]
    branch_loans: list[tuple[str, str]] = []

    def branch_day(t0: dt.datetime):
        t = t0
        pool = [u for u in users if len(lib.open_loans(u)) < MAX_LOANS - 1 and u not in hoarders]
        rng.shuffle(pool)
        for _ in range(4):
            bks = [b.isbn13 for b in books if lib.active(b.isbn13) and lib.available(b.isbn13) > 1]
            u = pool.pop()
            bk = rng.choice(bks)
            if any(l[0] == bk for l in lib.open_loans(u)):
                continue
            borrow(t, u, bk, batch=7)
            t += dt.timedelta(minutes=rng.randint(4, 40), seconds=rng.randint(0, 59))

    for day in branch_days:
        on(day, 14, 0, branch_day)

    # -- the random daily flow ----------------------------------------------
    day = START
    while day <= END:
        actions = list(script.get(day, []))
        weekday = day.weekday()
        open_day = weekday != 6  # closed on Sundays
        if open_day and day >= d(2024, 1, 8):
            for _ in range(rng.randint(8, 13)):
                t = at(day, rng.randint(9, 19), rng.randrange(60), rng.randrange(60))
                if rng.random() < 0.12:
                    t = t.replace(microsecond=random_fraction(rng))
                actions.append((t, "borrow"))
            for _ in range(rng.randint(9, 14)):
                t = at(day, rng.randint(9, 19), rng.randrange(60), rng.randrange(60))
                if rng.random() < 0.12:
                    t = t.replace(microsecond=random_fraction(rng))
                actions.append((t, "return"))
        actions.sort(key=lambda a: (a[0], isinstance(a[1], str)))
        for t, act in actions:
            if lib.events and t <= lib.events[-1].t:
                t = lib.events[-1].t + dt.timedelta(seconds=1)
            if act == "borrow":
                cands = [u for u in users if len(lib.open_loans(u)) < MAX_LOANS - 1
                         and u not in hoarders]
                u = rng.choice(cands)
                mine = {l[0] for l in lib.open_loans(u)}
                bks = [b.isbn13 for b in books if lib.active(b.isbn13)
                       and lib.available(b.isbn13) > 0 and b.isbn13 not in mine]
                if bks:
                    borrow(t, u, rng.choice(bks))
            elif act == "return":
                # the oldest loans are most likely to come back; slow readers
                # hold on for long
                opened = [(u, l) for u, ls in lib.loans.items() for l in ls
                          if (t - l[2]).days >= 2 and t >= l[3] and not (u in slow and (t - l[2]).days < 40)
                          and not (u in hoarders and l[2] >= at(d(2024, 5, 1), 0, 0))
                          and (l[1] or rng.random() < 0.02)]
                if opened:
                    weights = [min((t - l[2]).days, 30) ** 1.3 + 1 for _, l in opened]
                    u, l = rng.choices(opened, weights=weights)[0]
                    ret(t, u, l[0])
            else:
                act(t)
        day += dt.timedelta(days=1)

    # late desk slips: part of the last week of March is entered in April
    for ev in lib.events:
        if ev.batch is None:
            ev.batch = month_batch(ev.t)
            if d(2024, 3, 26) <= ev.t.date() <= d(2024, 3, 31) and rng.random() < 0.25:
                ev.batch = 4
    return lib


# --------------------------------------------------------------------------
# Writing the batches.
# --------------------------------------------------------------------------

BATCH_NAMES = {
    1: "0001-2024-01-main-desk.csv",
    2: "0002-2024-02-main-desk.csv",
    3: "0003-2024-03-main-desk.csv",
    4: "0004-2024-04-main-desk.csv",
    5: "0005-2024-05-main-desk.csv",
    6: "0006-2024-06-main-desk.csv",
    7: "0007-2024-02-to-06-branch-slips-late.csv",
}
RECORDED_AT = {
    1: "2024-02-01T02:00:00Z",
    2: "2024-03-01T02:00:00Z",
    3: "2024-04-01T02:00:00Z",
    4: "2024-05-01T02:00:00Z",
    5: "2024-06-01T02:00:00Z",
    6: "2024-07-01T02:00:00Z",
    7: "2024-07-02T02:00:00Z",
}
STD_HEADER = ["command_id", "command", "isbn", "title", "author", "quantity", "user_id",
              "occurred_at"]
HEADERS = {
    3: ["occurred_at", "command", "isbn", "user_id", "quantity", "title", "author",
        "command_id"],
    5: ["command_id", "occurred_at", "command", "user_id", "isbn", "quantity", "title",
        "author"],
    7: ["command_id", "occurred_at", "command", "isbn", "user_id", "title", "author",
        "quantity"],
}
LINE_ENDINGS = {3: "\r\n"}
BOM_BATCHES = {2}
BLANK_LINE_BATCHES = {6}


def render_rows(lib: Library, books: list[Book], rng: random.Random):
    """Decide the text of every row: command id, ISBN spelling, time form."""
    by_isbn = {b.isbn13: b for b in books}
    for ev in lib.events:
        bk = by_isbn.get(ev.isbn)
        ev.isbn_text = bk.spelled(rng) if bk else ev.isbn
        off, zulu = pick_style(rng)
        ev.text_time = fmt_time(ev.t, off, zulu)
        ev.cid = "" if rng.random() < 0.08 else str(uuid.UUID(int=rng.getrandbits(128), version=4))
        # branch slips carry the title on every row (ignored but for AddBook)
        if ev.batch == 7 and ev.command != "AddBook" and bk:
            ev.extra_title = bk.title


def row_dict(ev: Event) -> dict:
    title, author = "", ""
    if ev.command == "AddBook":
        title, author = ev.title, ev.author
    elif ev.extra_title:
        title = ev.extra_title
    return {
        "command_id": ev.cid,
        "command": ev.command,
        "isbn": ev.isbn_text,
        "title": title,
        "author": author,
        "quantity": "" if ev.quantity is None else str(ev.quantity),
        "user_id": ev.user,
        "occurred_at": ev.text_time,
    }


def build_batches(lib: Library, rng: random.Random) -> dict[int, list[dict]]:
    batches: dict[int, list[tuple[dt.datetime, int, dict]]] = {i: [] for i in BATCH_NAMES}
    for ev in lib.events:
        batches[ev.batch].append((ev.t, ev.seq, row_dict(ev)))
    out: dict[int, list[dict]] = {}
    for i, rows in batches.items():
        rows.sort(key=lambda r: (r[0], r[1]))
        # Rows are mostly in time order; a few neighbours swap (a desk that
        # types in its slips out of order). Never swap equal times, and never
        # swap rows that are fewer than 2 s apart.
        for k in range(len(rows) - 1):
            if rng.random() < 0.04 and (rows[k + 1][0] - rows[k][0]).total_seconds() >= 2:
                rows[k], rows[k + 1] = rows[k + 1], rows[k]
        out[i] = [r[2] for r in rows]
    # Duplicates (skipped on import): a row of batch 3 again, byte for byte,
    # in batch 5; a row of batch 2 again in batch 6 spelled differently
    # (another ISBN form, the same instant in another offset) but with the
    # same normalised content.
    src = next(r for r in out[3] if r["command"] == "BorrowBook" and r["command_id"])
    out[5].insert(len(out[5]) // 3, dict(src))
    src2 = next(r for r in out[2] if r["command"] == "ReturnBook" and r["command_id"]
                and r["occurred_at"].endswith("Z") and "." not in r["occurred_at"]
                and len(r["isbn"].replace("-", "")) == 13)
    dup2 = dict(src2)
    t = dt.datetime.fromisoformat(src2["occurred_at"].replace("Z", "+00:00"))
    dup2["occurred_at"] = fmt_time(t, 120, False)
    digits = src2["isbn"].replace("-", "")
    dup2["isbn"] = f"{digits[:3]}-{digits[3:]}"
    out[6].insert(len(out[6]) // 2, dup2)
    return out


def write_csv(rows: list[dict], header: list[str], eol: str, bom: bool, blank_line: bool) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for k, r in enumerate(rows):
        if blank_line and k == len(rows) // 2:
            buf.write(eol)
        w.writerow([r[c] for c in header])
    data = buf.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


README = """\
# demo

A library's first half of 2024, generated by `Scripts/make-demo-fixture.py` (fixed seed: the
same bytes on every run; `expected/` is written by `shelflog replay --format json` and
cross-checked with `Scripts/reference_replay.py`): {rows} rows in {nbatches} batches, six
monthly desk exports each imported the night after its month and a late batch of branch slips
imported on 2024-07-02 (`recorded_at`), over 40 titles (ISBN-13 with 978 and 979, many rows
in hyphenated or ISBN-10 form, `X`/`x` check digits), 150 users, titles with commas, quotes
and non-ASCII, times in `Z` and `±hh:mm` with fractions, rows with and without `command_id`,
columns in other orders, a BOM, CRLF and a blank line. It pins down the replay rules and reports
of docs/reports.md: every anomaly type several times, including one borrow that raises
`over_borrow` then `loan_limit_exceeded`, `unknown_book` from borrows and from removals, a
loan limit reached with a loan of an unknown book, a loan opened before its book was added
(not counted, so its return leaves `on_loan` alone), a return closing the oldest of two loans
of one title, removals with loans out and a re-add that keeps them (`available` -1 at the
end); numeric time order and inclusive cuts (a return half a second after its borrow, loans
exactly `loan_days` old at the cut and one microsecond older, events on the cut's last
second written with an offset); two duplicate command ids that must be skipped (one
byte-identical, one in another ISBN form and offset); and late arrivals: the April batch
carries desk slips of late March, and the last batch carries branch borrows of February to
June and an April donation whose borrows were logged in April, so `expected/T@K` (before the
late batch) differs from `expected/T`.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent.parent
                                         / "fixtures" / "demo"))
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    rng = random.Random(SEED)
    books, ghosts = make_books(rng)
    users = make_users(rng)
    lib = simulate(rng, books, ghosts, users)
    render_rows(lib, books, rng)
    batches = build_batches(lib, rng)

    bdir = out / "batches"
    bdir.mkdir(parents=True, exist_ok=True)
    for old in bdir.glob("*.csv"):
        if old.name not in BATCH_NAMES.values():
            old.unlink()
    total = 0
    for i, name in BATCH_NAMES.items():
        header = HEADERS.get(i, STD_HEADER)
        data = write_csv(batches[i], header, LINE_ENDINGS.get(i, "\n"), i in BOM_BATCHES,
                         i in BLANK_LINE_BATCHES)
        (bdir / name).write_bytes(data)
        total += len(batches[i])
    (out / "recorded_at").write_text("".join(RECORDED_AT[i] + "\n" for i in BATCH_NAMES))
    (out / "README.md").write_text(README.format(rows=f"{total:,}", nbatches=len(BATCH_NAMES)))
    counts = ", ".join(f"{BATCH_NAMES[i]}: {len(batches[i])}" for i in BATCH_NAMES)
    print(f"{total} rows in {len(BATCH_NAMES)} batches ({counts})")


if __name__ == "__main__":
    main()
