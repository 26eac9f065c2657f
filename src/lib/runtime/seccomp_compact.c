/* seccomp_compact.c - see seccomp_compact.h
 *
 * libseccomp's program compares the call number with each call of the
 * profile (a JEQ per call and architecture, in a tree): about 1000
 * instructions for the default profile, whose load (the kernel's check,
 * its conversion to eBPF and the JIT, each pass over every instruction)
 * costs 0.25-0.45 ms of every start.  Most calls share their answer with
 * their neighbours in number, so the same decisions fit in a tree over
 * ranges of numbers, with one leaf per run of equal answers.
 *
 * The new program is derived from libseccomp's, not from the profile: its
 * paths are followed with the architecture and the call number as
 * intervals (the program only compares them with constants), which splits
 * the space of (architecture, number) into the sets on which the program
 * takes one path.  A path that ends in a RET without reading an argument
 * answers that constant for its whole set; a path that reads an argument
 * (personality's personas, say) is kept as it is, as a slice of the old
 * program for that one number.  Anything else (another opcode, a path
 * that reads arguments for more than one number, ...) keeps the old
 * program.  The result is then run beside the old one (same_program) on
 * every architecture and call number either program compares with, their
 * neighbours and a few fixed values, which between them cover every
 * (architecture, number) pair, and each call whose answer depends on its
 * arguments with argument values made of the programs' constants; one
 * difference, or more values than the check's bounds, and the old program
 * stays.
 *
 * Programs from the rewrite are cached on disk (seccomp.c): any change to
 * what it writes must bump SECCOMP_COMPACT_VERSION (seccomp_compact.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "lib/base/util.h"
#include "seccomp_compact.h"

#define OFF_NR 0
#define OFF_ARCH 4
#define MAX_HOLES 48
#define MAX_STEPS 400000
#define MAX_OUT 4096
/* the check's bounds: past them the old program stays */
#define MAX_CHECK_ARCHS 256
#define MAX_CHECK_NRS 32768
#define MAX_CHECK_SLICES 1024

/* ---- a cBPF interpreter (the subset the rewrite reads and writes) -------- */

int seccomp_bpf_run(const struct sock_filter *f, size_t n, const struct seccomp_data *d, uint32_t *ret)
{
	uint32_t a = 0;
	const unsigned char *data = (const unsigned char *)d;

	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		uint32_t k = i->k;
		bool t;

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k > sizeof(*d) - 4 || k % 4)
				return -1;
			memcpy(&a, data + k, 4);
			continue;
		case BPF_LD | BPF_IMM:
			a = k;
			continue;
		case BPF_RET | BPF_K:
			*ret = k;
			return 0;
		case BPF_JMP | BPF_JA:
			if (k >= n - pc - 1)
				return -1;
			pc += k;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K:
			t = a == k;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			t = a > k;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			t = a >= k;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			t = (a & k) != 0;
			break;
		default:
			return -1; /* outside the subset */
		}
		pc += t ? i->jt : i->jf;
	}
	return -1; /* fell off the end */
}

/* ---- following the old program's paths ------------------------------------ */

/* a set of values: [lo, hi] less the holes */
struct vset {
	uint32_t lo, hi;
	uint32_t holes[MAX_HOLES];
	unsigned nholes;
};

enum aval { A_NONE, A_NR, A_ARCH, A_CONST };

struct path {
	struct vset arch, nr;
	enum aval a;
	uint32_t k;
};

enum leaf_kind { LEAF_RET, LEAF_ARGS };

struct leaf {
	struct vset arch, nr;
	enum leaf_kind kind;
	uint32_t ret;
};

struct walk {
	const struct sock_filter *f;
	size_t n;
	struct leaf *leaves;
	size_t nleaves;
	size_t steps;
	bool fail;
};

static bool vset_has(const struct vset *s, uint32_t v)
{
	if (v < s->lo || v > s->hi)
		return false;
	for (unsigned i = 0; i < s->nholes; i++)
		if (s->holes[i] == v)
			return false;
	return true;
}

static bool vset_single(const struct vset *s)
{
	return s->lo == s->hi;
}

/* shrink the ends past holes; false when empty */
static bool vset_norm(struct vset *s)
{
	bool moved = true;

	while (moved) {
		moved = false;
		for (unsigned i = 0; i < s->nholes; i++) {
			if (s->holes[i] == s->lo || s->holes[i] == s->hi) {
				if (s->lo == s->hi)
					return false;
				if (s->holes[i] == s->lo)
					s->lo++;
				else
					s->hi--;
				s->holes[i] = s->holes[--s->nholes];
				moved = true;
				break;
			}
		}
	}
	/* holes outside the range are no longer holes */
	for (unsigned i = 0; i < s->nholes;)
		if (s->holes[i] < s->lo || s->holes[i] > s->hi)
			s->holes[i] = s->holes[--s->nholes];
		else
			i++;
	return true;
}

/* restrict s to the values v for which "v OP k" is want; false when empty,
 * -1 in w->fail when it can't be told (JSET over a range) */
static bool vset_cut(struct walk *w, struct vset *s, unsigned op, uint32_t k, bool want)
{
	switch (op) {
	case BPF_JEQ:
		if (want) {
			if (!vset_has(s, k))
				return false;
			s->lo = s->hi = k;
			s->nholes = 0;
			return true;
		}
		if (k < s->lo || k > s->hi)
			return true;
		if (s->nholes == MAX_HOLES) {
			w->fail = true;
			return false;
		}
		for (unsigned i = 0; i < s->nholes; i++)
			if (s->holes[i] == k)
				return true;
		s->holes[s->nholes++] = k;
		return vset_norm(s);
	case BPF_JGT:
		if (want) {
			if (k == UINT32_MAX || s->hi <= k)
				return false;
			if (s->lo <= k)
				s->lo = k + 1;
		} else {
			if (s->lo > k)
				return false;
			if (s->hi > k)
				s->hi = k;
		}
		return vset_norm(s);
	case BPF_JGE:
		if (want) {
			if (s->hi < k)
				return false;
			if (s->lo < k)
				s->lo = k;
		} else {
			if (k == 0 || s->lo >= k)
				return false;
			if (s->hi >= k)
				s->hi = k - 1;
		}
		return vset_norm(s);
	case BPF_JSET:
		if (vset_single(s))
			return ((s->lo & k) != 0) == want;
		w->fail = true;
		return false;
	default:
		w->fail = true;
		return false;
	}
}

static void add_leaf(struct walk *w, const struct path *p, enum leaf_kind kind, uint32_t ret)
{
	struct leaf *l;

	w->leaves = xrealloc(w->leaves, (w->nleaves + 1) * sizeof(*w->leaves));
	l = &w->leaves[w->nleaves++];
	l->arch = p->arch;
	l->nr = p->nr;
	l->kind = kind;
	l->ret = ret;
}

static void follow(struct walk *w, size_t pc, struct path p)
{
	for (; !w->fail; pc++) {
		const struct sock_filter *i;

		if (pc >= w->n || ++w->steps > MAX_STEPS) {
			w->fail = true;
			return;
		}
		i = &w->f[pc];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k == OFF_NR) {
				p.a = A_NR;
			} else if (i->k == OFF_ARCH) {
				p.a = A_ARCH;
			} else {
				/* an argument or the instruction pointer: kept whole,
				 * for one call of one architecture only */
				if (!vset_single(&p.arch) || !vset_single(&p.nr))
					w->fail = true;
				else
					add_leaf(w, &p, LEAF_ARGS, 0);
				return;
			}
			continue;
		case BPF_LD | BPF_IMM:
			p.a = A_CONST;
			p.k = i->k;
			continue;
		case BPF_RET | BPF_K:
			add_leaf(w, &p, LEAF_RET, i->k);
			return;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K: {
			unsigned op = BPF_OP(i->code);
			struct path t = p;
			bool tok, fok;

			if (p.a == A_CONST) {
				bool r = op == BPF_JEQ   ? p.k == i->k
					 : op == BPF_JGT ? p.k > i->k
					 : op == BPF_JGE ? p.k >= i->k
							 : (p.k & i->k) != 0;
				pc += r ? i->jt : i->jf;
				continue;
			}
			if (p.a == A_NONE) {
				w->fail = true;
				return;
			}
			tok = vset_cut(w, p.a == A_NR ? &t.nr : &t.arch, op, i->k, true);
			fok = vset_cut(w, p.a == A_NR ? &p.nr : &p.arch, op, i->k, false);
			if (w->fail)
				return;
			if (tok && fok) {
				follow(w, pc + 1 + i->jt, t);
			} else if (tok) {
				p = t;
				pc += i->jt;
				continue;
			} else if (!fok) {
				return; /* no value takes this path */
			}
			pc += i->jf;
			continue;
		}
		default:
			w->fail = true;
			return;
		}
	}
}

/* ---- the new program ------------------------------------------------------- */

struct seg {
	uint32_t lo, hi;
	const struct leaf *leaf;
};

struct out {
	struct sock_filter *f;
	size_t n;
	bool fail;
};

struct fixup {
	size_t at;     /* a JA */
	uint32_t nr;   /* the slice of this number */
	uint32_t arch; /* of this architecture */
};

struct fixups {
	struct fixup *v;
	size_t n;
};

/* the new instruction's index, or -1 (and o->fail) when the buffer is full */
static long emit(struct out *o, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (o->fail || o->n >= MAX_OUT) {
		o->fail = true;
		return -1;
	}
	o->f[o->n] = (struct sock_filter){ code, jt, jf, k };
	return (long)o->n++;
}

/* a JA to be pointed at the slice of (arch, nr) once it is written */
static void add_fixup(struct out *o, struct fixups *fx, uint32_t nr, uint32_t arch)
{
	long at = emit(o, BPF_JMP | BPF_JA, 0, 0, 0);

	if (at < 0)
		return;
	fx->v = xrealloc(fx->v, (fx->n + 1) * sizeof(*fx->v));
	fx->v[fx->n++] = (struct fixup){ (size_t)at, nr, arch };
}

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* the pieces of l's numbers, appended to *segs */
static void leaf_segs(const struct leaf *l, struct seg **segs, size_t *n)
{
	uint32_t holes[MAX_HOLES], lo = l->nr.lo;
	unsigned nh = l->nr.nholes;

	memcpy(holes, l->nr.holes, nh * sizeof(*holes));
	for (unsigned i = 0; i < nh; i++)
		for (unsigned j = i + 1; j < nh; j++)
			if (holes[j] < holes[i]) {
				uint32_t t = holes[i];
				holes[i] = holes[j];
				holes[j] = t;
			}
	for (unsigned i = 0; i <= nh; i++) {
		uint32_t hi = i < nh ? holes[i] - 1 : l->nr.hi;

		if (i < nh && holes[i] == lo) {
			lo = holes[i] + 1;
			continue;
		}
		*segs = xrealloc(*segs, (*n + 1) * sizeof(**segs));
		(*segs)[(*n)++] = (struct seg){ lo, hi, l };
		if (i < nh)
			lo = holes[i] + 1;
	}
}

static bool same_answer(const struct seg *a, const struct seg *b)
{
	return a->leaf->kind == LEAF_RET && b->leaf->kind == LEAF_RET && a->leaf->ret == b->leaf->ret;
}

/* the numbers of one architecture, in order, tiling 0..UINT32_MAX, equal
 * neighbours merged; NULL when the leaves don't tile */
static struct seg *arch_segs(const struct walk *w, uint32_t arch, size_t *count)
{
	struct seg *s = NULL;
	size_t n = 0, m = 0;

	for (size_t i = 0; i < w->nleaves; i++)
		if (vset_has(&w->leaves[i].arch, arch))
			leaf_segs(&w->leaves[i], &s, &n);
	if (!n)
		return NULL;
	qsort(s, n, sizeof(*s), seg_cmp);
	if (s[0].lo != 0)
		goto bad;
	for (size_t i = 1; i < n; i++)
		if (s[i - 1].hi == UINT32_MAX || s[i].lo != s[i - 1].hi + 1)
			goto bad;
	if (s[n - 1].hi != UINT32_MAX)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (m && same_answer(&s[m - 1], &s[i]))
			s[m - 1].hi = s[i].hi;
		else
			s[m++] = s[i];
	}
	*count = m;
	return s;
bad:
	free(s);
	return NULL;
}

static size_t tree_size(size_t n)
{
	size_t l, left;

	if (n == 1)
		return 1;
	l = n / 2;
	left = tree_size(l);
	return 1 + (left > 255 ? 1 : 0) + left + tree_size(n - l);
}

/* a binary search over the segments' first numbers; A holds the number */
static void emit_tree(struct out *o, const struct seg *s, size_t n, uint32_t arch, struct fixups *fx)
{
	size_t l, left;

	if (n == 1) {
		if (s->leaf->kind == LEAF_RET) {
			emit(o, BPF_RET | BPF_K, 0, 0, s->leaf->ret);
		} else {
			add_fixup(o, fx, s->lo, arch);
		}
		return;
	}
	l = n / 2;
	left = tree_size(l);
	if (left > 255) {
		emit(o, BPF_JMP | BPF_JGE | BPF_K, 0, 1, s[l].lo);
		emit(o, BPF_JMP | BPF_JA, 0, 0, (uint32_t)left);
	} else {
		emit(o, BPF_JMP | BPF_JGE | BPF_K, (uint8_t)left, 0, s[l].lo);
	}
	emit_tree(o, s, l, arch, fx);
	emit_tree(o, s + l, n - l, arch, fx);
}

/* The same search with the answers shared: the tree's nodes in preorder,
 * then one RET per answer (or one JA per slice), each node jumping to its
 * children or straight to an answer, all within a conditional jump's reach
 * (255); false when the segments are too many for that. */
static void pooled_nodes(struct out *o, const struct seg *s, size_t n, size_t base, const size_t *slot,
			 size_t pool)
{
	size_t l, at, left, right;

	if (n == 1)
		return;
	l = n / 2;
	at = o->n;
	/* a range of c segments has c - 1 nodes: the left one follows, the
	 * right one comes after the left range's */
	left = l == 1 ? pool + slot[base] : at + 1;
	right = n - l == 1 ? pool + slot[base + l] : at + l;
	emit(o, BPF_JMP | BPF_JGE | BPF_K, (uint8_t)(right - at - 1), (uint8_t)(left - at - 1), s[l].lo);
	pooled_nodes(o, s, l, base, slot, pool);
	pooled_nodes(o, s + l, n - l, base + l, slot, pool);
}

static bool emit_pooled(struct out *o, const struct seg *s, size_t n, uint32_t arch, struct fixups *fx)
{
	_cleanup_free_ size_t *slot = xcalloc(n, sizeof(size_t));
	_cleanup_free_ const struct seg **first = xcalloc(n, sizeof(*first));
	size_t npool = 0, pool;

	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		for (; k < npool; k++)
			if (first[k]->leaf->kind == s[i].leaf->kind &&
			    (s[i].leaf->kind == LEAF_RET ? first[k]->leaf->ret == s[i].leaf->ret
							 : first[k]->lo == s[i].lo))
				break;
		if (k == npool)
			first[npool++] = &s[i];
		slot[i] = k;
	}
	if (n - 1 + npool > 255)
		return false;
	pool = o->n + n - 1;
	pooled_nodes(o, s, n, 0, slot, pool);
	for (size_t k = 0; k < npool; k++) {
		if (first[k]->leaf->kind == LEAF_RET) {
			emit(o, BPF_RET | BPF_K, 0, 0, first[k]->leaf->ret);
		} else {
			add_fixup(o, fx, first[k]->lo, arch);
		}
	}
	return true;
}

/* The old program's instructions that (arch, nr) reaches, with the
 * jumps decided by the two resolved; 0, or -1 when it can't be done. */
static int emit_slice(struct out *o, const struct sock_filter *f, size_t n, uint32_t arch, uint32_t nr)
{
	_cleanup_free_ uint8_t *reach = xcalloc(n, 1); /* 1 reached, 2 A known there */
	_cleanup_free_ uint32_t *aval = xcalloc(n, sizeof(uint32_t));
	_cleanup_free_ size_t *at = xcalloc(n, sizeof(size_t));
	_cleanup_free_ uint8_t *taken = xcalloc(n, 1); /* 1 jt only, 2 jf only, 3 both */
	_cleanup_free_ size_t *nk = xcalloc(n + 1, sizeof(size_t));
	size_t base = o->n;

	reach[0] = 1; /* A unknown (0) at the start: it is never read before a load */
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		bool known = reach[pc] == 2;
		uint32_t a = aval[pc];
		size_t targets[2];
		unsigned nt = 0;

		if (!reach[pc])
			continue;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			known = i->k == OFF_NR || i->k == OFF_ARCH;
			a = i->k == OFF_NR ? nr : arch;
			targets[nt++] = pc + 1;
			break;
		case BPF_LD | BPF_IMM:
			known = true;
			a = i->k;
			targets[nt++] = pc + 1;
			break;
		case BPF_RET | BPF_K:
			break;
		case BPF_JMP | BPF_JA:
			targets[nt++] = pc + 1 + i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K:
			if (known) {
				unsigned op = BPF_OP(i->code);
				bool r = op == BPF_JEQ   ? a == i->k
					 : op == BPF_JGT ? a > i->k
					 : op == BPF_JGE ? a >= i->k
							 : (a & i->k) != 0;
				taken[pc] = r ? 1 : 2;
				targets[nt++] = pc + 1 + (r ? i->jt : i->jf);
			} else {
				taken[pc] = 3;
				targets[nt++] = pc + 1 + i->jt;
				targets[nt++] = pc + 1 + i->jf;
			}
			break;
		default:
			return -1;
		}
		for (unsigned t = 0; t < nt; t++) {
			size_t to = targets[t];
			uint8_t st = known ? 2 : 1;

			if (to >= n)
				return -1;
			if (!reach[to]) {
				reach[to] = st;
				aval[to] = a;
			} else if (reach[to] == 2 && (st != 2 || aval[to] != a)) {
				reach[to] = 1;
			}
		}
	}
	/* a decided jump (or a JA) that lands where the fall-through would is
	 * dropped; nk[pc]: the first kept instruction from pc on */
	nk[n] = n;
	for (size_t pc = n; pc-- > 0;) {
		size_t to = f[pc].code == (BPF_JMP | BPF_JA) ? pc + 1 + f[pc].k
			    : taken[pc] == 1                 ? pc + 1 + f[pc].jt
			    : taken[pc] == 2                 ? pc + 1 + f[pc].jf
							     : SIZE_MAX;

		if (reach[pc] && to != SIZE_MAX && nk[to] == nk[pc + 1])
			taken[pc] |= 4;
		nk[pc] = reach[pc] && !(taken[pc] & 4) ? pc : nk[pc + 1];
	}
	for (size_t pc = 0, k = base; pc < n; pc++)
		if (nk[pc] == pc)
			at[pc] = k++;
	for (size_t pc = 0; pc < n; pc++)
		if (nk[pc] != pc && nk[pc] < n)
			at[pc] = at[nk[pc]];
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];

		if (!reach[pc] || (taken[pc] & 4))
			continue;
		if (i->code == (BPF_JMP | BPF_JA)) {
			emit(o, i->code, 0, 0, (uint32_t)(at[pc + 1 + i->k] - at[pc] - 1));
		} else if (taken[pc] == 1 || taken[pc] == 2) {
			size_t to = pc + 1 + (taken[pc] == 1 ? i->jt : i->jf);
			emit(o, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(at[to] - at[pc] - 1));
		} else if (taken[pc] == 3) {
			size_t jt = at[pc + 1 + i->jt] - at[pc] - 1, jf = at[pc + 1 + i->jf] - at[pc] - 1;
			if (jt > 255 || jf > 255)
				return -1;
			emit(o, i->code, (uint8_t)jt, (uint8_t)jf, i->k);
		} else {
			emit(o, i->code, i->jt, i->jf, i->k);
		}
	}
	return o->fail ? -1 : 0;
}

/* ---- checking it ------------------------------------------------------------ */

static bool answers_alike(const struct sock_filter *a, size_t na, const struct sock_filter *b, size_t nb,
			  const struct seccomp_data *d)
{
	uint32_t ra, rb;

	return seccomp_bpf_run(a, na, d, &ra) == 0 && seccomp_bpf_run(b, nb, d, &rb) == 0 && ra == rb;
}

static uint64_t mix(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* a growing set of values */
struct vals {
	uint32_t *v;
	size_t n, cap;
};

static void vals_add(struct vals *s, uint32_t v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = v;
}

/* k and its neighbours: a value between two constants answers as k + 1 */
static void vals_add3(struct vals *s, uint32_t k)
{
	vals_add(s, k - 1);
	vals_add(s, k);
	vals_add(s, k + 1);
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void vals_uniq(struct vals *s)
{
	size_t m = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), u32_cmp);
	for (size_t i = 0; i < s->n; i++)
		if (!m || s->v[m - 1] != s->v[i])
			s->v[m++] = s->v[i];
	s->n = m;
}

#define SRC_NR 1
#define SRC_ARCH 2
#define SRC_OTHER 4

/* The constants a program compares with: with the number (and their
 * neighbours) into nrs, with the architecture into archs, all of them into
 * any.  What A may hold is followed along every jump (they only go
 * forward); false for an instruction outside the subset or a JSET that
 * may test the number or the architecture (its answer would not be
 * constant between two constants). */
static bool program_consts(const struct sock_filter *f, size_t n, struct vals *nrs, struct vals *archs,
			   struct vals *any)
{
	_cleanup_free_ uint8_t *src = xcalloc(n, 1); /* what A may hold there, 0 unreached */

	if (!n)
		return false;
	src[0] = SRC_OTHER;
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		uint8_t a = src[pc];
		size_t to[2];
		unsigned nt = 0;

		if (!a)
			continue;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			a = i->k == OFF_NR ? SRC_NR : i->k == OFF_ARCH ? SRC_ARCH : SRC_OTHER;
			to[nt++] = pc + 1;
			break;
		case BPF_LD | BPF_IMM:
			a = SRC_OTHER;
			to[nt++] = pc + 1;
			break;
		case BPF_RET | BPF_K:
			break;
		case BPF_JMP | BPF_JA:
			to[nt++] = pc + 1 + i->k;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			if (a & (SRC_NR | SRC_ARCH))
				return false;
			/* fall through */
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
			if (a & SRC_NR)
				vals_add3(nrs, i->k);
			if (a & SRC_ARCH)
				vals_add3(archs, i->k);
			vals_add(any, i->k);
			to[nt++] = pc + 1 + i->jt;
			to[nt++] = pc + 1 + i->jf;
			break;
		default:
			return false;
		}
		for (unsigned t = 0; t < nt; t++) {
			if (to[t] >= n)
				return false;
			src[to[t]] |= a;
		}
	}
	return true;
}

/* Every answer of nw the same as old's?  Both programs only compare the
 * architecture and the number with constants, so between two neighbouring
 * constants the answer does not change: trying every constant of either
 * program, its neighbours and the ends, for the number and for the
 * architecture together, covers every (architecture, number) with the
 * arguments at 0.  The calls whose answer depends on their arguments (one
 * slice of the old program each) are then tried with argument values made
 * of the programs' constants and random bits.  More values than the
 * bounds allow: false, the old program stays. */
static bool same_program(const struct sock_filter *old, size_t nold, const struct sock_filter *nw,
			 size_t nnew, const struct walk *w)
{
	static const uint32_t extra_archs[] = { 0,           0x40000000U, 0x40000003U,
						0xc000003eU, 0xc00000b7U, UINT32_MAX };
	static const uint32_t extra_nrs[] = { 0,           0x3fffffffU, 0x40000000U,
					      0x7fffffffU, 0x80000000U, UINT32_MAX };
	struct vals archs = { 0 }, nrs = { 0 }, any = { 0 }, slices = { 0 };
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct seccomp_data d;
	bool same = false;

	if (!program_consts(old, nold, &nrs, &archs, &any) || !program_consts(nw, nnew, &nrs, &archs, &any))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(extra_archs); i++)
		vals_add(&archs, extra_archs[i]);
	for (size_t i = 0; i < ARRAY_SIZE(extra_nrs); i++)
		vals_add(&nrs, extra_nrs[i]);
	vals_add(&any, 0);
	vals_add(&any, UINT32_MAX);
	vals_uniq(&archs);
	vals_uniq(&nrs);
	if (archs.n > MAX_CHECK_ARCHS || nrs.n > MAX_CHECK_NRS)
		goto out;
	memset(&d, 0, sizeof d);
	for (size_t ai = 0; ai < archs.n; ai++) {
		d.arch = archs.v[ai];
		for (size_t ni = 0; ni < nrs.n; ni++) {
			d.nr = (int)nrs.v[ni];
			if (!answers_alike(old, nold, nw, nnew, &d))
				goto out;
		}
	}
	/* the (architecture, number) pairs whose answer depends on the
	 * arguments: each once, pairs stored as two values */
	for (size_t i = 0; i < w->nleaves; i++) {
		const struct leaf *l = &w->leaves[i];
		bool seen = false;

		if (l->kind != LEAF_ARGS)
			continue;
		for (size_t j = 0; j < slices.n && !seen; j += 2)
			seen = slices.v[j] == l->arch.lo && slices.v[j + 1] == l->nr.lo;
		if (seen)
			continue;
		if (slices.n / 2 == MAX_CHECK_SLICES)
			goto out;
		vals_add(&slices, l->arch.lo);
		vals_add(&slices, l->nr.lo);
	}
	for (size_t si = 0; si < slices.n; si += 2) {
		d.arch = slices.v[si];
		d.nr = (int)slices.v[si + 1];
		for (int r = 0; r < 400; r++) {
			for (int j = 0; j < 6; j++) {
				uint64_t x = mix(&seed);
				uint32_t lo = x & 1 ? any.v[(x >> 1) % any.n] : (uint32_t)(x >> 8);
				uint32_t hi = x & 0x10000 ? any.v[(x >> 17) % any.n]
							  : (x & 0x20000 ? 0 : (uint32_t)(x >> 32));
				d.args[j] = ((uint64_t)hi << 32) | lo;
			}
			d.instruction_pointer = mix(&seed);
			if (!answers_alike(old, nold, nw, nnew, &d))
				goto out;
		}
	}
	same = true;
out:
	free(archs.v);
	free(nrs.v);
	free(any.v);
	free(slices.v);
	return same;
}

void (*seccomp_compact_test_hook)(struct sock_filter *f, size_t n);

/* ---- putting it together ---------------------------------------------------- */

int seccomp_bpf_compact(const struct sock_filter *f, size_t n, struct sock_filter **out, size_t *nout)
{
	struct walk w = { f, n, NULL, 0, 0, false };
	struct path start;
	struct out o = { NULL, 0, false };
	struct fixups fx = { NULL, 0 };
	uint32_t archs[16];
	size_t narch = 0, nrest = 0, *block = NULL;
	uint32_t rest = 0;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	memset(&start, 0, sizeof start);
	start.arch.hi = start.nr.hi = UINT32_MAX;
	start.a = A_NONE;
	follow(&w, 0, start);
	if (w.fail || !w.nleaves)
		goto done;
	/* the architectures with a block of their own: those a path singles out */
	for (size_t i = 0; i < w.nleaves; i++) {
		const struct leaf *l = &w.leaves[i];
		bool seen = false;

		if (!vset_single(&l->arch))
			continue;
		for (size_t k = 0; k < narch; k++)
			seen = seen || archs[k] == l->arch.lo;
		if (!seen) {
			if (narch == ARRAY_SIZE(archs))
				goto done;
			archs[narch++] = l->arch.lo;
		}
	}
	/* every other architecture: one answer, whatever the call */
	for (size_t i = 0; i < w.nleaves; i++) {
		const struct leaf *l = &w.leaves[i];
		uint64_t size = (uint64_t)l->arch.hi - l->arch.lo + 1 - l->arch.nholes;

		for (size_t k = 0; k < narch; k++)
			size -= vset_has(&l->arch, archs[k]);
		if (!size)
			continue;
		if (l->kind != LEAF_RET || (nrest && l->ret != rest))
			goto done;
		rest = l->ret;
		nrest++;
	}
	if (!nrest || !narch)
		goto done;
	o.f = xmalloc(MAX_OUT * sizeof(*o.f));
	block = xcalloc(narch, sizeof(*block));
	emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARCH);
	for (size_t k = 0; k < narch; k++) {
		long at;

		emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, archs[k]);
		at = emit(&o, BPF_JMP | BPF_JA, 0, 0, 0);
		if (at < 0)
			goto done;
		block[k] = (size_t)at;
	}
	emit(&o, BPF_RET | BPF_K, 0, 0, rest);
	for (size_t k = 0; k < narch; k++) {
		size_t ns = 0;
		_cleanup_free_ struct seg *s = arch_segs(&w, archs[k], &ns);

		if (!s || o.fail)
			goto done;
		o.f[block[k]].k = (uint32_t)(o.n - block[k] - 1);
		emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_NR);
		if (!emit_pooled(&o, s, ns, archs[k], &fx))
			emit_tree(&o, s, ns, archs[k], &fx);
	}
	for (size_t i = 0; i < fx.n; i++) {
		size_t start_at = o.n;

		/* one slice per (arch, number), shared by its jumps */
		for (size_t j = 0; j < i; j++)
			if (fx.v[j].nr == fx.v[i].nr && fx.v[j].arch == fx.v[i].arch) {
				o.f[fx.v[i].at].k = o.f[fx.v[j].at].k + (uint32_t)(fx.v[j].at - fx.v[i].at);
				goto next;
			}
		if (o.fail || emit_slice(&o, f, n, fx.v[i].arch, fx.v[i].nr) < 0)
			goto done;
		o.f[fx.v[i].at].k = (uint32_t)(start_at - fx.v[i].at - 1);
next:;
	}
	if (o.fail || o.n >= n || o.n > BPF_MAXINSNS)
		goto done;
	if (seccomp_compact_test_hook)
		seccomp_compact_test_hook(o.f, o.n);
	if (!same_program(f, n, o.f, o.n, &w))
		goto done;
	*out = steal_ptr(o.f);
	*nout = o.n;
	rc = 0;
done:
	free(o.f);
	free(block);
	free(fx.v);
	free(w.leaves);
	return rc;
}
