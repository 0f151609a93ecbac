/* The language of aiodemo's own words: every text it writes goes through
 * GNU gettext (domain "aiodemo"), English in the source and Chinese in
 * po/zh_CN.po. The programs' own output is theirs and is not translated
 * here (see the scenarios' "say.en" lines). */
#ifndef AIODEMO_I18N_H
#define AIODEMO_I18N_H

#include <libintl.h>
#include <stddef.h>

#include "buf.h"

/** A text of aiodemo's, translated. */
#define _(s) gettext(s)
/** A text marked for translation where it is defined, translated with _()
 *  where it is used (tables of static strings). */
#define N_(s) s

/** @s translated when @shown, else as it is: a text that is both shown and
 *  written in English (JSON, records). */
#define T_(shown, s) ((shown) ? gettext(s) : (s))

/** A text of aiodemo's in a context (@ctx, a string literal) that sets it
 *  apart from the same English word elsewhere: "ok" a check passed, "ok" a
 *  run's status. */
#define P_(ctx, s) i18n_pgettext(ctx "\004" s, s)

/** The translation of @ctx_s ("CONTEXT\004TEXT"), or @s when there is none. */
const char *i18n_pgettext(const char *ctx_s, const char *s) __attribute__((format_arg(2)));

enum i18n_lang {
	I18N_EN,
	I18N_ZH,
};

/** Sets the locale from the environment and chooses the language: @option
 *  ("zh", "en", or NULL to follow LANGUAGE, LC_ALL, LC_MESSAGES and LANG as
 *  gettext does), and points gettext at the catalogues. Chinese works also
 *  where no Chinese locale is installed (on C.UTF-8), without changing the
 *  environment that the program sees. Returns 0, or -1 if @option is not a
 *  language aiodemo speaks. Call it before any other. */
int i18n_init(const char *option);

/** The language chosen. */
enum i18n_lang i18n_lang(void);

/** An English text that the @n @formats (English, marked N_()) printed,
 *  in the language chosen: the translation of the format it matches, with
 *  the same pieces in the places the translation gives them ("%2$s"),
 *  appended to @out. Texts kept in English (records, JSON) are translated
 *  this way when shown. @text as it is when it matches none. */
void i18n_retranslate(struct buf *out, const char *text, const char *const *formats, size_t n);

/** As i18n_retranslate(), and a piece that is one of the @nwords @words
 *  (English, marked N_()) is translated too. */
void i18n_retranslate_words(struct buf *out, const char *text, const char *const *formats, size_t n,
                            const char *const *words, size_t nwords);

/** Its short name: "zh" or "en". */
const char *i18n_lang_name(void);

#endif
