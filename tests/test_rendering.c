/* The renderings of printed lines (src/record/rendering.c): what a pattern
 * matches, where each placeholder's text goes, nested renderings, exact
 * lines, and the errors of a malformed pattern or English. Prints TAP. */
#include <stdbool.h>
#include <stdlib.h>

#include "record/rendering.h"
#include "util/buf.h"
#include "tap.h"

/* The English of @line, or NULL (freed at the next call). */
static const char *english(const struct renderings *r, const char *line)
{
	static struct buf out;
	buf_free(&out);
	return renderings_render(r, line, &out) ? (out.data ? out.data : "") : NULL;
}

static void add(struct renderings *r, const char *pattern, const char *en)
{
	const char *why = NULL;
	int at = -1;
	bool in_en;
	if (!tap_ok(renderings_add(r, pattern, en, &why, &at, &in_en) == 0, __FILE__, __LINE__,
	            "adds \"%s\" = \"%s\"", pattern, en))
		tap_diag("  refused at %d of the %s: %s", at, in_en ? "English" : "pattern", why);
}

/* @pattern = @en is refused, for what is at offset @at of the one @in_en says. */
static void refused(const char *pattern, const char *en, int want_at, bool want_in_en)
{
	struct renderings *r = renderings_new();
	const char *why = NULL;
	int at = -1;
	bool in_en = !want_in_en;
	int rc = renderings_add(r, pattern, en, &why, &at, &in_en);
	if (!tap_ok(rc == -1 && at == want_at && in_en == want_in_en && why, __FILE__, __LINE__,
	            "refuses \"%s\" = \"%s\" at %d of the %s", pattern, en, want_at,
	            want_in_en ? "English" : "pattern"))
		tap_diag("  rc %d, at %d of the %s: %s", rc, at, in_en ? "English" : "pattern",
		         why ? why : "(no reason)");
	renderings_free(r);
}

int main(void)
{
	struct renderings *r = renderings_new();
	add(r, "任务 {} 开始执行", "task {} starts");
	add(r, "完成了 {}，用时 {} 秒", "{2} s for {1}");
	add(r, "{}个任务", "{} tasks");
	add(r, "集合 {{{}}}", "the set {{{}}}");
	add(r, "a{}b{}c", "[{}|{}]");
	add(r, "结果: {}", "first");
	add(r, "结果: {} 个", "second");

	tap_diag("what matches, and where the text goes");
	CHECK_STR_EQ(english(r, "任务 3 开始执行"), "task 3 starts");
	CHECK_STR_EQ(english(r, "任务 Task-12 开始执行"), "task Task-12 starts");
	CHECK(english(r, "任务  开始执行") == NULL); /* {} is one character or more */
	CHECK(english(r, "任务 3 开始执行。") == NULL);
	CHECK(english(r, "x任务 3 开始执行") == NULL);
	CHECK_STR_EQ(english(r, "完成了 3个任务，用时 2 秒"), "2 s for 3 tasks");
	CHECK_STR_EQ(english(r, "集合 {1, 2}"), "the set {1, 2}");
	CHECK_STR_EQ(english(r, "axbyc"), "[x|y]");
	CHECK_STR_EQ(english(r, "axbybzc"), "[x|ybz]");
	CHECK(english(r, "abc") == NULL);
	CHECK(english(r, "axb") == NULL);
	CHECK(english(r, "ab") == NULL);
	CHECK_STR_EQ(english(r, "结果: 3 个"), "first");
	CHECK(english(r, "") == NULL);
	CHECK(english(r, "没有译文") == NULL);
	CHECK(renderings_render(NULL, "任务 3 开始执行", &(struct buf){ 0 }) == false);

	tap_diag("exact lines come first");
	renderings_add_line(r, "任务 0 开始执行", "the first task starts");
	CHECK_STR_EQ(english(r, "任务 0 开始执行"), "the first task starts");
	renderings_add_line(r, "任务 0 开始执行", "not this one");
	CHECK_STR_EQ(english(r, "任务 0 开始执行"), "the first task starts");
	for (int i = 0; i < 1000; i++) {
		char line[32], en[32];
		snprintf(line, sizeof(line), "第 %d 行", i);
		snprintf(en, sizeof(en), "line %d", i);
		renderings_add_line(r, line, en);
	}
	CHECK_STR_EQ(english(r, "第 999 行"), "line 999");
	CHECK_STR_EQ(english(r, "第 0 行"), "line 0");
	renderings_free(r);

	tap_diag("malformed patterns and English");
	refused("{}", "x", 0, false);
	refused("", "x", 0, false);
	refused("a {}{}", "x", 4, false);
	refused("a {x", "x", 2, false);
	refused("a }", "x", 2, false);
	refused("a {} b {} c {} d {} e {} f {} g {} h {} i {} j {}", "x", 47, false);
	refused("a {}", "{2}", 0, true);
	refused("a {}", "{} {}", 3, true);
	refused("a {}", "{} {1}", 3, true);
	refused("a {}", "x {", 2, true);
	struct renderings *twice = renderings_new();
	add(twice, "a {}", "x");
	const char *why = NULL;
	int at;
	bool in_en;
	CHECK(renderings_add(twice, "a {}", "y", &why, &at, &in_en) == -1 && why);
	renderings_free(twice);
	renderings_free(NULL);
	english(NULL, ""); /* frees the last English */
	return tap_done();
}
