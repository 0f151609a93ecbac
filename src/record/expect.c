/* Expectations checked against the timeline, with a tolerance that follows
 * --scale. */
#include "expect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/i18n.h"

double expect_tolerance(double seconds, double scale)
{
	return (0.1 * seconds + 0.05) * scale + EXPECT_JITTER;
}

double expect_moment(const struct expect_decl *x, double scale, double *tolerance)
{
	double f = x->cpu ? 1 : scale;
	*tolerance = expect_tolerance(x->seconds, f) + (x->fixed > 0 ? 0.5 * x->fixed + 0.05 : 0);
	return x->seconds * f + x->fixed;
}

/* The first say line with exactly @text, or NULL. */
static const struct tl_event *find_say(const struct tl_event *ev, size_t n, const char *text,
                                       size_t *index)
{
	for (size_t i = 0; i < n; i++)
		if (ev[i].kind == K_SAY && !strcmp(ev[i].text, text)) {
			if (index)
				*index = i;
			return &ev[i];
		}
	return NULL;
}

/* The texts of the checks, whole: in English in records and JSON,
 * translated where they are shown. */
static const char *const check_texts[] = {
	N_("line %d: the run ends at %.3f s, expected %.3f s ± %.3f"),
	N_("line %d: the loop is blocked %.3f s in all, expected %.3f s ± %.3f"),
	N_("line %d: \"%s\" at %.3f s, expected %.3f s ± %.3f"),
	N_("line %d: \"%s\" is not among the first %zu events, those kept (--max-events)"),
	N_("line %d: \"%s\" is never said"),
	N_("line %d: \"%s\" comes before \"%s\""),
	N_("line %d: \"%s\" comes after \"%s\""),
	N_("line %d: \"%s\" is said"),
	N_("line %d: the run ends with an error, expected an error"),
	N_("line %d: the run ends with an error, expected ok"),
	N_("line %d: the run ends ok, expected an error"),
	N_("line %d: the run ends ok, expected ok"),
	N_("the run ends with an error nobody handled"),
	N_("the run ends ok"),
};

void expect_text_shown(struct buf *out, const char *text)
{
	i18n_retranslate(out, text, check_texts, sizeof(check_texts) / sizeof(check_texts[0]));
}

static void check_moment(struct buf *b, const char *what, double got, const struct expect_decl *x,
                         double scale, bool *ok)
{
	double tol, want = expect_moment(x, scale, &tol);
	*ok = fabs(got - want) <= tol;
	buf_printf(b, "%s at %.3f s, expected %.3f s ± %.3f", what, got, want, tol);
}

/* A line that is not among the events: never said, or perhaps said past
 * the events the timeline keeps (--max-events). */
static void not_found(struct buf *b, const struct timeline *tl, const char *text, size_t nev)
{
	if (timeline_not_kept(tl, NULL))
		buf_printf(b, "\"%s\" is not among the first %zu events, those kept (--max-events)",
		           text, nev);
	else
		buf_printf(b, "\"%s\" is never said", text);
}

struct expect_result *expect_verify(const struct expectations *xs, const struct timeline *tl,
                                    double scale, double total, bool failed, int *n)
{
	size_t nev, nblocked;
	const struct tl_event *ev = timeline_events(tl, &nev);
	const struct tl_blocked *bw = timeline_blocked_windows(tl, &nblocked);
	struct expect_result *r = xcalloc((size_t)xs->n + 1, sizeof(*r));
	bool status_stated = false;
	int k = 0;
	for (int i = 0; i < xs->n; i++) {
		const struct expect_decl *x = &xs->items[i];
		struct buf b = { 0 };
		bool ok = false;
		buf_printf(&b, "line %d: ", x->line);
		switch (x->kind) {
		case EXPECT_TOTAL:
			check_moment(&b, "the run ends", total, x, scale, &ok);
			break;
		case EXPECT_BLOCKED: {
			double sum = 0;
			for (size_t w = 0; w < nblocked; w++)
				sum += bw[w].end - bw[w].start;
			double tol, want = expect_moment(x, scale, &tol);
			ok = fabs(sum - want) <= tol;
			buf_printf(&b, "the loop is blocked %.3f s in all, expected %.3f s ± %.3f",
			           sum, want, tol);
			break;
		}
		case EXPECT_AT: {
			const struct tl_event *e = find_say(ev, nev, x->text, NULL);
			if (!e) {
				not_found(&b, tl, x->text, nev);
				break;
			}
			struct buf what = { 0 };
			buf_printf(&what, "\"%s\"", x->text);
			check_moment(&b, what.data, e->t, x, scale, &ok);
			buf_free(&what);
			break;
		}
		case EXPECT_BEFORE: {
			size_t ia = 0, ib = 0;
			bool a = find_say(ev, nev, x->text, &ia),
			     z = find_say(ev, nev, x->text2, &ib);
			ok = a && z && ia < ib;
			if (!a || !z)
				not_found(&b, tl, !a ? x->text : x->text2, nev);
			else
				buf_printf(&b, "\"%s\" comes %s \"%s\"", x->text,
				           ia < ib ? "before" : "after", x->text2);
			break;
		}
		case EXPECT_SAYS:
			ok = find_say(ev, nev, x->text, NULL) != NULL;
			if (ok)
				buf_printf(&b, "\"%s\" is said", x->text);
			else
				not_found(&b, tl, x->text, nev);
			break;
		case EXPECT_STATUS:
			status_stated = true;
			ok = failed == x->failure;
			buf_printf(&b, "the run ends %s, expected %s",
			           failed ? "with an error" : "ok", x->failure ? "an error" : "ok");
			break;
		}
		r[k++] = (struct expect_result){ x, ok, buf_steal(&b) };
	}
	if (!status_stated) {
		struct buf b = { 0 };
		buf_printf(&b, "the run ends %s", failed ? "with an error nobody handled" : "ok");
		r[k++] = (struct expect_result){ NULL, !failed, buf_steal(&b) };
	}
	*n = k;
	return r;
}

struct summary_check *expect_summarize(const struct expectations *xs, double scale,
                                       const struct expect_result *r, int n, struct run_summary *s)
{
	for (int i = 0; i < xs->n; i++)
		if (xs->items[i].kind == EXPECT_TOTAL && (!xs->items[i].cpu || scale == 1) &&
		    xs->items[i].fixed == 0) {
			s->expected_total = xs->items[i].seconds;
			s->tolerance = expect_tolerance(s->expected_total, scale);
		}
	if (!r)
		return NULL;
	struct summary_check *checks = xcalloc((size_t)n + 1, sizeof(*checks));
	for (int i = 0; i < n; i++)
		checks[i] = (struct summary_check){ r[i].text, r[i].ok };
	s->checks = checks;
	s->nchecks = n;
	return checks;
}

int expect_failures(const struct expect_result *r, int n)
{
	int bad = 0;
	for (int i = 0; i < n; i++)
		bad += !r[i].ok;
	return bad;
}

void expectations_free(struct expectations *x)
{
	for (int i = 0; i < x->n; i++) {
		free(x->items[i].text);
		free(x->items[i].text2);
	}
	free(x->items);
	x->items = NULL;
	x->n = 0;
}

void expect_free(struct expect_result *r, int n)
{
	if (!r)
		return;
	for (int i = 0; i < n; i++)
		free(r[i].text);
	free(r);
}
