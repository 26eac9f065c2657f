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
 * program.  The result is then run beside the old one on every number up
 * to 2048, the boundaries and the high (x32) numbers, each architecture
 * the program knows and a few it does not, with argument values made of
 * the program's constants; one difference and the old program stays.
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

/* ---- a cBPF interpreter (the subset seccomp filters use) ------------------ */

int seccomp_bpf_run(const struct sock_filter *f, size_t n, const struct seccomp_data *d, uint32_t *ret)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS];
	const unsigned char *data = (const unsigned char *)d;

	memset(mem, 0, sizeof mem);
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		uint32_t k = i->k, src;

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k > sizeof(*d) - 4 || k % 4)
				return -1;
			memcpy(&a, data + k, 4);
			continue;
		case BPF_LD | BPF_W | BPF_LEN:
			a = sizeof(*d);
			continue;
		case BPF_LDX | BPF_W | BPF_LEN:
			x = sizeof(*d);
			continue;
		case BPF_LD | BPF_IMM:
			a = k;
			continue;
		case BPF_LDX | BPF_IMM:
			x = k;
			continue;
		case BPF_LD | BPF_MEM:
			if (k >= BPF_MEMWORDS)
				return -1;
			a = mem[k];
			continue;
		case BPF_LDX | BPF_MEM:
			if (k >= BPF_MEMWORDS)
				return -1;
			x = mem[k];
			continue;
		case BPF_ST:
			if (k >= BPF_MEMWORDS)
				return -1;
			mem[k] = a;
			continue;
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				return -1;
			mem[k] = x;
			continue;
		case BPF_MISC | BPF_TAX:
			x = a;
			continue;
		case BPF_MISC | BPF_TXA:
			a = x;
			continue;
		case BPF_RET | BPF_K:
			*ret = k;
			return 0;
		case BPF_RET | BPF_A:
			*ret = a;
			return 0;
		case BPF_JMP | BPF_JA:
			if (k >= n - pc - 1)
				return -1;
			pc += k;
			continue;
		default:
			break;
		}
		if (BPF_CLASS(i->code) == BPF_ALU) {
			src = BPF_SRC(i->code) == BPF_X ? x : k;
			switch (BPF_OP(i->code)) {
			case BPF_ADD:
				a += src;
				break;
			case BPF_SUB:
				a -= src;
				break;
			case BPF_MUL:
				a *= src;
				break;
			case BPF_DIV:
				if (!src)
					return -1;
				a /= src;
				break;
			case BPF_MOD:
				if (!src)
					return -1;
				a %= src;
				break;
			case BPF_AND:
				a &= src;
				break;
			case BPF_OR:
				a |= src;
				break;
			case BPF_XOR:
				a ^= src;
				break;
			case BPF_LSH:
				a = src < 32 ? a << src : 0;
				break;
			case BPF_RSH:
				a = src < 32 ? a >> src : 0;
				break;
			case BPF_NEG:
				a = -a;
				break;
			default:
				return -1;
			}
			continue;
		}
		if (BPF_CLASS(i->code) == BPF_JMP) {
			bool t;
			src = BPF_SRC(i->code) == BPF_X ? x : k;
			switch (BPF_OP(i->code)) {
			case BPF_JEQ:
				t = a == src;
				break;
			case BPF_JGT:
				t = a > src;
				break;
			case BPF_JGE:
				t = a >= src;
				break;
			case BPF_JSET:
				t = (a & src) != 0;
				break;
			default:
				return -1;
			}
			pc += t ? i->jt : i->jf;
			continue;
		}
		return -1;
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

static size_t emit(struct out *o, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (o->n >= MAX_OUT) {
		o->fail = true;
		return o->n;
	}
	o->f[o->n] = (struct sock_filter){ code, jt, jf, k };
	return o->n++;
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

struct fixup {
	size_t at;     /* a JA */
	uint32_t nr;   /* the slice of this number */
	uint32_t arch; /* of this architecture */
};

struct fixups {
	struct fixup *v;
	size_t n;
};

/* a binary search over the segments' first numbers; A holds the number */
static void emit_tree(struct out *o, const struct seg *s, size_t n, uint32_t arch, struct fixups *fx)
{
	size_t l, left;

	if (n == 1) {
		if (s->leaf->kind == LEAF_RET) {
			emit(o, BPF_RET | BPF_K, 0, 0, s->leaf->ret);
		} else {
			fx->v = xrealloc(fx->v, (fx->n + 1) * sizeof(*fx->v));
			fx->v[fx->n++] = (struct fixup){ emit(o, BPF_JMP | BPF_JA, 0, 0, 0), s->lo, arch };
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
			fx->v = xrealloc(fx->v, (fx->n + 1) * sizeof(*fx->v));
			fx->v[fx->n++] = (struct fixup){ emit(o, BPF_JMP | BPF_JA, 0, 0, 0), first[k]->lo,
							 arch };
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

static bool same_program(const struct sock_filter *old, size_t nold, const struct sock_filter *nw,
			 size_t nnew, const struct walk *w)
{
	uint32_t archs[64], consts[256], nrs[64];
	size_t na = 0, nc = 0, nn = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	/* the architectures the old program names, and some it does not */
	archs[na++] = 0;
	archs[na++] = 0x40000003;
	archs[na++] = UINT32_MAX;
	for (size_t i = 0; i < w->nleaves && na < 60; i++)
		if (vset_single(&w->leaves[i].arch)) {
			archs[na++] = w->leaves[i].arch.lo;
			archs[na++] = w->leaves[i].arch.lo ^ 1;
		}
	consts[nc++] = 0;
	consts[nc++] = UINT32_MAX;
	for (size_t i = 0; i < nold && nc < 250; i++)
		if (BPF_CLASS(old[i].code) == BPF_JMP && BPF_OP(old[i].code) != BPF_JA) {
			consts[nc++] = old[i].k;
			consts[nc++] = old[i].k + 1;
			consts[nc++] = old[i].k - 1;
		}
	for (size_t i = 0; i < w->nleaves && nn < 64; i++)
		if (w->leaves[i].kind == LEAF_ARGS)
			nrs[nn++] = w->leaves[i].nr.lo;
	for (size_t ai = 0; ai < na; ai++) {
		struct seccomp_data d;

		memset(&d, 0, sizeof d);
		d.arch = archs[ai];
		for (uint32_t nr = 0; nr < 2048; nr++) {
			d.nr = (int)nr;
			d.args[0] = nr * 0x10001ULL;
			if (!answers_alike(old, nold, nw, nnew, &d))
				return false;
		}
		for (size_t ci = 0; ci < nc; ci++) {
			const uint32_t high[] = { consts[ci],  0x40000000U + (consts[ci] & 0x3ff),
						  0x40000000U, 0x3fffffffU,
						  0x7fffffffU, 0x80000000U };
			for (size_t h = 0; h < ARRAY_SIZE(high); h++) {
				d.nr = (int)high[h];
				if (!answers_alike(old, nold, nw, nnew, &d))
					return false;
			}
		}
		/* the calls whose answer depends on their arguments */
		for (size_t ni = 0; ni < nn; ni++) {
			d.nr = (int)nrs[ni];
			for (int r = 0; r < 400; r++) {
				for (int j = 0; j < 6; j++) {
					uint64_t x = mix(&seed);
					uint32_t lo = x & 1 ? consts[(x >> 1) % nc] : (uint32_t)(x >> 8);
					uint32_t hi = x & 0x10000 ? consts[(x >> 17) % nc]
								  : (x & 0x20000 ? 0 : (uint32_t)(x >> 32));
					d.args[j] = ((uint64_t)hi << 32) | lo;
				}
				d.instruction_pointer = mix(&seed);
				if (!answers_alike(old, nold, nw, nnew, &d))
					return false;
			}
		}
	}
	return true;
}

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
		emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, archs[k]);
		block[k] = emit(&o, BPF_JMP | BPF_JA, 0, 0, 0);
	}
	emit(&o, BPF_RET | BPF_K, 0, 0, rest);
	for (size_t k = 0; k < narch; k++) {
		size_t ns = 0;
		_cleanup_free_ struct seg *s = arch_segs(&w, archs[k], &ns);

		if (!s)
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
		if (emit_slice(&o, f, n, fx.v[i].arch, fx.v[i].nr) < 0)
			goto done;
		o.f[fx.v[i].at].k = (uint32_t)(start_at - fx.v[i].at - 1);
next:;
	}
	if (o.fail || o.n >= n || o.n > BPF_MAXINSNS)
		goto done;
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
