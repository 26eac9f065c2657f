/* log.h - one logger for the tool and its helpers (stderr only). */
#ifndef BURROW_LOG_H
#define BURROW_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern enum log_level log_threshold;
extern const char *log_progname;

/* Parse "error", "warn", "info" or "debug"; returns -1 if unknown. */
int log_parse_level(const char *s);
void log_at(enum log_level lvl, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_msg(lvl, ...) log_at((lvl), __FILE__, __LINE__, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
