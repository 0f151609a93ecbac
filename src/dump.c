/* A text form of a parsed scenario, for tests of the parser and for
 * `aiodemo dump`: one line per operation, expressions as S-expressions. */
#include <string.h>

#include "scenario.h"

static const char *const binop_names[] = {
	[OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/", [OP_FLOORDIV] = "//",
	[OP_MOD] = "%", [OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=",
	[OP_GT] = ">", [OP_GE] = ">=", [OP_AND] = "and", [OP_OR] = "or",
};

static void dump_expr(const struct scenario *sc, const struct func *F, const struct expr *e,
		      struct buf *out);

static void dump_list(const struct scenario *sc, const struct func *F, struct expr *const *items,
		      int n, struct buf *out)
{
	for (int i = 0; i < n; i++) {
		buf_putc(out, ' ');
		if (items[i])
			dump_expr(sc, F, items[i], out);
		else
			buf_putc(out, '_');
	}
}

static void dump_expr(const struct scenario *sc, const struct func *F, const struct expr *e,
		      struct buf *out)
{
	switch (e->kind) {
	case E_CONST:
		value_repr(out, e->constant);
		break;
	case E_FSTRING:
		buf_puts(out, "(f");
		for (int i = 0; i < e->fstring.n; i++) {
			const struct fpart *p = &e->fstring.parts[i];
			buf_putc(out, ' ');
			if (p->e) {
				buf_putc(out, '{');
				dump_expr(sc, F, p->e, out);
				if (p->precision >= 0)
					buf_printf(out, ":.%df", p->precision);
				buf_putc(out, '}');
			} else {
				struct value v = value_str(p->text, p->len);
				value_repr(out, v);
				value_unref(v);
			}
		}
		buf_putc(out, ')');
		break;
	case E_LOCAL:
		buf_printf(out, "$%s", F ? F->slot_names[e->slot] : "?");
		break;
	case E_PARAM:
		buf_printf(out, "%%%s", sc->params[e->param].name);
		break;
	case E_BINARY:
		buf_printf(out, "(%s ", binop_names[e->binary.op]);
		dump_expr(sc, F, e->binary.l, out);
		buf_putc(out, ' ');
		dump_expr(sc, F, e->binary.r, out);
		buf_putc(out, ')');
		break;
	case E_NEG:
	case E_NOT:
	case E_STAR:
	case E_SPAWN:
		buf_printf(out, "(%s ", e->kind == E_NEG ? "neg" : e->kind == E_NOT ? "not" :
					e->kind == E_STAR ? "*" : "spawn");
		dump_expr(sc, F, e->operand, out);
		buf_putc(out, ')');
		break;
	case E_LIST:
		buf_puts(out, "(list");
		dump_list(sc, F, e->list.items, e->list.n, out);
		buf_putc(out, ')');
		break;
	case E_COMP:
		buf_printf(out, "(comp $%s ", F->slot_names[e->comp.var_slot]);
		dump_expr(sc, F, e->comp.iter, out);
		buf_putc(out, ' ');
		dump_expr(sc, F, e->comp.elem, out);
		buf_putc(out, ')');
		break;
	case E_INDEX:
		buf_puts(out, "(index ");
		dump_expr(sc, F, e->index.base, out);
		buf_putc(out, ' ');
		dump_expr(sc, F, e->index.index, out);
		buf_putc(out, ')');
		break;
	case E_CALL:
		buf_printf(out, "(call %s%s", e->call.name, e->call.fn && e->call.fn->is_async ? "" : "!");
		dump_list(sc, F, e->call.args, e->call.nargs, out);
		buf_putc(out, ')');
		break;
	case E_BUILTIN:
		buf_printf(out, "(builtin %s", e->call.name);
		dump_list(sc, F, e->call.args, e->call.nargs, out);
		buf_putc(out, ')');
		break;
	case E_OFFLOAD:
		buf_printf(out, "(offload %s ", sc->pools[e->offload.pool].name);
		dump_expr(sc, F, e->offload.job, out);
		buf_putc(out, ')');
		break;
	case E_GATHER:
		buf_puts(out, "(gather ");
		dump_expr(sc, F, e->gather.items, out);
		if (e->gather.return_exceptions) {
			buf_puts(out, " return_exceptions=");
			dump_expr(sc, F, e->gather.return_exceptions, out);
		}
		buf_putc(out, ')');
		break;
	case E_METHOD:
		buf_printf(out, "(method %s ", e->call.name);
		dump_expr(sc, F, e->call.base, out);
		dump_list(sc, F, e->call.args, e->call.nargs, out);
		buf_putc(out, ')');
		break;
	case E_NEWEXC:
		buf_printf(out, "(exception %s", e->call.name);
		dump_list(sc, F, e->call.args, e->call.nargs, out);
		buf_putc(out, ')');
		break;
	}
}

static const char *const op_names[] = {
	[OP_SAY] = "say", [OP_SLEEP] = "sleep", [OP_BLOCK] = "block", [OP_ASSIGN] = "assign",
	[OP_EXPR] = "expr", [OP_AWAIT] = "await", [OP_RETURN] = "return", [OP_FOR_INIT] = "for-init",
	[OP_FOR_NEXT] = "for-next", [OP_JUMP] = "jump", [OP_JUMP_IF_NOT] = "jump-if-not", [OP_UNPACK] = "unpack",
	[OP_TRY] = "try", [OP_TRY_END] = "try-end", [OP_EXCEPT] = "except", [OP_RAISE] = "raise",
	[OP_END_FINALLY] = "end-finally", [OP_AENTER] = "aenter", [OP_AEXIT] = "aexit",
	[OP_AEXIT_EXC] = "aexit-exc",
};

void scenario_dump(const struct scenario *sc, struct buf *out)
{
	buf_printf(out, "name %s\n", sc->name);
	if (sc->title)
		buf_printf(out, "title %s\n", sc->title);
	if (sc->source)
		buf_printf(out, "source %s\n", sc->source);
	for (int i = 0; i < sc->nparams; i++) {
		buf_printf(out, "param %s = ", sc->params[i].name);
		value_repr(out, sc->params[i].value);
		buf_putc(out, '\n');
	}
	for (int i = 0; i < sc->npools; i++) {
		const struct pool_decl *p = &sc->pools[i];
		buf_printf(out, "pool %s %s ", p->name, p->processes ? "processes" : "threads");
		if (p->size)
			dump_expr(sc, NULL, p->size, out);
		else
			buf_puts(out, "default");
		buf_putc(out, '\n');
	}
	for (int i = 0; i < sc->nexpects; i++) {
		const struct expect_decl *x = &sc->expects[i];
		switch (x->kind) {
		case EXPECT_TOTAL: buf_printf(out, "expect total %gs\n", x->seconds); break;
		case EXPECT_AT: buf_printf(out, "expect \"%s\" at %gs\n", x->text, x->seconds); break;
		case EXPECT_BEFORE: buf_printf(out, "expect before \"%s\" \"%s\"\n", x->text, x->text2); break;
		case EXPECT_BLOCKED: buf_printf(out, "expect blocked %gs\n", x->seconds); break;
		case EXPECT_SAYS: buf_printf(out, "expect says \"%s\"\n", x->text); break;
		case EXPECT_STATUS: buf_printf(out, "expect %s\n", x->failure ? "error" : "ok"); break;
		}
	}
	if (sc->python)
		buf_printf(out, "python %zu bytes\n", strlen(sc->python));
	if (sc->notice)
		buf_printf(out, "notice %zu bytes\n", strlen(sc->notice));
	for (int f = 0; f < sc->nfuncs; f++) {
		const struct func *F = sc->funcs[f];
		buf_printf(out, "%sdef %s(", F->is_async ? "async " : "", F->name);
		for (int i = 0; i < F->nparams; i++)
			buf_printf(out, "%s%s", i ? ", " : "", F->slot_names[i]);
		buf_printf(out, ") slots=%d\n", F->nslots);
		for (int i = 0; i < F->nops; i++) {
			const struct op *op = &F->ops[i];
			buf_printf(out, "  %2d L%d %s", i, op->line, op_names[op->kind]);
			if (op->kind == OP_FOR_NEXT || op->kind == OP_AEXIT_EXC ||
			    ((op->kind == OP_EXCEPT || op->kind == OP_AENTER) && op->slot2 >= 0))
				buf_printf(out, " $%s %s $%s", F->slot_names[op->slot],
					   op->kind == OP_FOR_NEXT ? "from" : op->kind == OP_AEXIT_EXC ? "with" : "as",
					   F->slot_names[op->slot2]);
			else if (op->slot >= 0)
				buf_printf(out, " $%s", F->slot_names[op->slot]);
			if (op->e) {
				buf_putc(out, ' ');
				dump_expr(sc, F, op->e, out);
			}
			if (op->kind == OP_JUMP || op->kind == OP_JUMP_IF_NOT || op->kind == OP_FOR_NEXT ||
			    op->kind == OP_TRY || op->kind == OP_EXCEPT)
				buf_printf(out, " -> %d", op->target);
			buf_putc(out, '\n');
		}
	}
}

void scenario_line_text(const struct scenario *sc, int line, struct buf *out)
{
	const char *p = sc->text, *end = sc->text + sc->len;
	for (int l = 1; l < line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	const char *e = memchr(p, '\n', (size_t)(end - p));
	if (!e)
		e = end;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	/* Leave out a trailing comment and white space. */
	const char *hash = NULL;
	char quote = 0;
	for (const char *q = p; q < e; q++) {
		if (quote) {
			if (*q == '\\')
				q++;
			else if (*q == quote)
				quote = 0;
		} else if (*q == '"' || *q == '\'') {
			quote = *q;
		} else if (*q == '#') {
			hash = q;
			break;
		}
	}
	if (hash)
		e = hash;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	buf_add(out, p, (size_t)(e - p));
}
