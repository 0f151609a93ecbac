/* Unit tests of util/i18n.c: English notes kept in events and records,
 * shown in Chinese through the catalogue of the build tree (i18n_init finds
 * it for a binary run from there), the pieces in the places the
 * translation gives them. */
#include <locale.h>
#include <stdlib.h>

#include "tap.h"
#include "util/buf.h"
#include "util/i18n.h"
#include "util/text.h"

/* The text @text shown through @formats (@words for the pieces), in a
 * static buffer. */
static const char *shown(const char *text, const char *const *formats, size_t n,
                         const char *const *words, size_t nwords)
{
	static char out[512];
	struct buf b = { 0 };
	i18n_retranslate_words(&b, text, formats, n, words, nwords);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	buf_free(&b);
	return out;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* @s wrapped to @width columns, in a static buffer. */
static const char *wrapped(const char *s, int width, const char *indent, const char *more)
{
	static char out[512];
	struct buf b = { 0 };
	text_wrap(&b, s, width, indent, more);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	buf_free(&b);
	return out;
}

int main(void)
{
	static const char *const notes[] = {
		"finished",
		"the loop is blocked at line %d: %s",
		"the loop is free again after %.3f s",
		"job %d: %s to %s",
		"line %d: %s  (waits for %s)",
		"line %d: %s",
		"%s creates %s at line %d.",
	};
	static const char *const words[] = { "a Semaphore" };

	tap_diag("English: every text as it is");
	CHECK_INT_EQ(i18n_init("en"), 0);
	CHECK_STR_EQ(shown("finished", notes, N(notes), NULL, 0), "finished");
	CHECK_STR_EQ(
	        shown("the loop is blocked at line 23: time.sleep(2)", notes, N(notes), NULL, 0),
	        "the loop is blocked at line 23: time.sleep(2)");

	tap_diag("Chinese");
	CHECK_INT_EQ(i18n_init("zh"), 0);
	CHECK_INT_EQ(i18n_lang(), I18N_ZH);
	CHECK_STR_EQ(i18n_lang_name(), "zh");
	CHECK_STR_EQ(shown("finished", notes, N(notes), NULL, 0), "完成");
	CHECK_STR_EQ(shown("the loop is blocked at line 23: time.sleep(2)  # 100%", notes, N(notes),
	                   NULL, 0),
	             "事件循环在第 23 行被阻塞：time.sleep(2)  # 100%");
	CHECK_STR_EQ(shown("the loop is free again after 2.000 s", notes, N(notes), NULL, 0),
	             "2.000 s 后事件循环恢复空闲");
	/* A piece that holds the format's own words: the last " to " ends it. */
	CHECK_STR_EQ(shown("job 3: copy('a to b') to asyncio", notes, N(notes), NULL, 0),
	             "作业 3：copy('a to b') 交给 asyncio");
	/* The longer format first; a piece that is one of the words, translated. */
	CHECK_STR_EQ(shown("line 7: async with sem:  (waits for a Semaphore)", notes, N(notes),
	                   words, N(words)),
	             "第 7 行：async with sem:  （等待 一个 Semaphore）");
	CHECK_STR_EQ(shown("line 7: await x", notes, N(notes), words, N(words)),
	             "第 7 行：await x");
	/* The translation puts the pieces in its own order ("%1$s ... %3$d ... %2$s"). */
	CHECK_STR_EQ(shown("Task-1 creates Task-2 at line 9.", notes, N(notes), NULL, 0),
	             "Task-1 在第 9 行创建了 Task-2。");
	/* A number where the format has one, or no match: the text as it is. */
	CHECK_STR_EQ(shown("the loop is blocked at line x: y", notes, N(notes), NULL, 0),
	             "the loop is blocked at line x: y");
	CHECK_STR_EQ(shown("finished early", notes, N(notes), NULL, 0), "finished early");
	CHECK_STR_EQ(shown("", notes, N(notes), NULL, 0), "");
	/* A word in its context, and the same word elsewhere. */
	CHECK_STR_EQ(P_("check", "ok"), "通过");
	CHECK_STR_EQ(_("ok"), "正常");
	CHECK_STR_EQ(T_(false, "finished"), "finished");
	CHECK_STR_EQ(T_(true, "finished"), "完成");
	CHECK_INT_EQ(i18n_init("fr"), -1);

	tap_diag("wrapping: at spaces, and between CJK characters");
	CHECK(setlocale(LC_CTYPE, "C.UTF-8") != NULL);
	CHECK_STR_EQ(wrapped("aaa bbb ccc", 7, "", ""), "aaa bbb\nccc\n");
	CHECK_STR_EQ(wrapped("aaa bbb ccc", 9, "  ", "    "), "  aaa bbb\n    ccc\n");
	CHECK_STR_EQ(wrapped("一二三四五六七", 10, "", ""), "一二三四五\n六七\n");
	/* No line begins with the punctuation that closes a clause. */
	CHECK_STR_EQ(wrapped("一二三四五，六七", 10, "", ""), "一二三四\n五，六七\n");
	/* Nor ends with one that opens. */
	CHECK_STR_EQ(wrapped("一二三四（五）", 10, "", ""), "一二三四\n（五）\n");
	/* Latin words among CJK ones keep their spaces and stay whole, where
	 * a line can hold them; one longer than a line is cut. */
	CHECK_STR_EQ(wrapped("用 asyncio.sleep 等待", 14, "", ""), "用\nasyncio.sleep\n等待\n");
	CHECK_STR_EQ(wrapped("用 asyncio.sleep 等待", 12, "", ""), "用 asyncio.s\nleep 等待\n");
	CHECK_STR_EQ(wrapped("事件循环asyncio", 12, "", ""), "事件循环\nasyncio\n");
	return tap_done();
}
