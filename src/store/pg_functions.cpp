// PostgreSQL versions of the SQLite backend's C++ SQL functions (sqlite_store.cpp), returning
// exactly what those return for every input (util/dates.cpp semantics), plus gb_json_each.
//
// Layout: the public functions are plain SQL functions (inlined into the calling query) with
// a fast path for the values the application stores (canonical "YYYY-MM-DDTHH:MM:SS.ffffff"
// texts and microsecond integers of the years 0002..2037); every other input goes to plpgsql
// helpers (gb__*) that reproduce the C++ step by step.
//
// Volatility: everything that depends on the tz database is STABLE, not IMMUTABLE, so that
// PostgreSQL refuses an expression index over it (a tzdata update would silently invalidate
// such an index). Inlined, the immutable parts over a constant zone are still folded at plan
// time. gb_contains_word, gb_json_each and the pure helpers are IMMUTABLE.
//
// Statements go through PgDialect::Translate: outside the dollar-quoted bodies they avoid
// the words it rewrites (INTEGER, REAL, LIKE, ...).
#include "store/pg_functions.hpp"

#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>
#include <utility>

namespace gridbase::store {

namespace {

struct Zones {
  std::string array;  // body of a text[] literal: the names
  std::string ends;   // a JSON object: name -> the zone's last transition (Unix seconds)
};

/// util::IsKnownTimeZone's list (the zones date-tz finds in the system tz database) and, for
/// each zone with transitions, the instant of its last one: date-tz reads only the
/// transitions listed in the zone file and keeps the last one's offset forever, where
/// PostgreSQL goes on with the file's rule (US daylight saving time after 2037, for one).
Zones ZoneData() {
  std::vector<std::pair<std::string, int64_t>> zones;
  const auto far = date::sys_seconds{std::chrono::seconds{253402300799LL}};  // 9999-12-31T23:59:59Z
  const date::tzdb* db = nullptr;
  try {
    db = &date::get_tzdb();
  } catch (const std::exception&) {
    return Zones{"{}", "{}"};  // no tz database: util::LocalDate uses UTC for every zone, so do these
  }
  for (const auto& z : db->zones) {
    const std::string& n = z.name();
    if (n == "UTC") continue;  // util::LocalDate's UTC without a zone lookup; gb__zone gives 'UTC'
    bool plain = !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
             c == '+' || c == '-';
    });
    if (!plain) continue;  // every tz database name is; anything else is left out
    int64_t last = std::numeric_limits<int64_t>::min();
    try {
      last = z.get_info(far).begin.time_since_epoch().count();
    } catch (const std::exception&) {
    }
    zones.emplace_back(n, last);
  }
  std::sort(zones.begin(), zones.end());
  Zones out{"{", "{"};
  bool first_end = true;
  for (size_t i = 0; i < zones.size(); ++i) {
    if (i) out.array += ',';
    out.array += zones[i].first;
    if (zones[i].second > -100000000000LL) {  // not date-tz's "since forever" (no transitions)
      if (!first_end) out.ends += ',';
      first_end = false;
      out.ends += '"' + zones[i].first + "\":" + std::to_string(zones[i].second);
    }
  }
  out.array += '}';
  out.ends += '}';
  return out;
}

// The fast paths: a canonical stored date-time of the years 0002..2037 and its instant. Before
// 2038 PostgreSQL and date-tz agree on every zone (the system's zone files list every
// transition through 2037: "fat" tzdata, as Debian ships); year 0001 may turn into year 0
// locally, which to_char cannot print.
constexpr const char* kFastText =
    "$1 ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][.][0-9]{6}$'"
    " AND left($1, 4) COLLATE \"C\" BETWEEN '0002' AND '2037' AND gb__ymd_ok($1)";
constexpr const char* kFastTextInstant = "($1::timestamp AT TIME ZONE 'UTC')";
// 0002-01-01T00:00:00Z <= micros < 2038-01-01T00:00:00Z; the instant is built exactly (no
// float rounding: whole seconds and microseconds apart).
constexpr const char* kFastMicros = "$1 >= -62104060800000000 AND $1 < 2145916800000000";
constexpr const char* kFastMicrosInstant =
    "((timestamp 'epoch' + ($1 / 1000000) * interval '1 second' + ($1 % 1000000) * interval '1 microsecond')"
    " AT TIME ZONE 'UTC')";

std::vector<std::string> BuildStatements() {
  std::vector<std::string> s;
  const Zones zones = ZoneData();

  // --- helpers -------------------------------------------------------------------------

  // The zone to hand to AT TIME ZONE: ':' + name for a zone util::IsKnownTimeZone knows (the
  // ':' makes PostgreSQL read the zone file, not an abbreviation of the same name: "CET" as
  // an abbreviation is a fixed +01:00), else 'UTC' (what util::LocalDate does with '' and
  // unknown names). A constant argument folds at plan time; otherwise a hashed lookup.
  s.push_back("CREATE OR REPLACE FUNCTION gb__zone(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$\n"
              "SELECT CASE WHEN $1 = ANY ('" + zones.array + "'::text[]) THEN ':' || $1 ELSE 'UTC' END\n$fn$");

  // The last transition of a zone (Unix seconds), NULL for none.
  s.push_back("CREATE OR REPLACE FUNCTION gb__zone_end(text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$\n"
              "SELECT ('" + zones.ends + "'::jsonb ->> $1)::bigint\n$fn$");

  // Day-of-month check of a 'YYYY-MM-DD…' text whose month (01-12) and day (01-31) are in range.
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb__ymd_ok(text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT substr($1, 1, 4) <> '0000' AND CASE substr($1, 6, 5)
  WHEN '02-29' THEN substr($1, 1, 4)::int % 4 = 0 AND (substr($1, 1, 4)::int % 100 <> 0 OR substr($1, 1, 4)::int % 400 = 0)
  WHEN '02-30' THEN false WHEN '02-31' THEN false WHEN '04-31' THEN false
  WHEN '06-31' THEN false WHEN '09-31' THEN false WHEN '11-31' THEN false
  ELSE true END
$fn$)SQL");

  // fmt's {:04} of a year ("0000", "-001", "10000").
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb__yyyy(bigint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN $1 >= 0 THEN CASE WHEN $1 < 10000 THEN lpad($1::text, 4, '0') ELSE $1::text END
            WHEN $1 > -1000 THEN '-' || lpad((-$1)::text, 3, '0') ELSE $1::text END
$fn$)SQL");

  // util::CivilFromDays (date::year_month_day; its year is a 16-bit integer).
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb__civil(days bigint, OUT y bigint, OUT mo int, OUT d int)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  z bigint := days + 719468;
  era bigint;
  doe bigint;
  yoe bigint;
  doy bigint;
  mp bigint;
BEGIN
  era := (CASE WHEN z >= 0 THEN z ELSE z - 146096 END) / 146097;
  doe := z - era * 146097;
  yoe := (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy := doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp := (5 * doy + 2) / 153;
  d := doy - (153 * mp + 2) / 5 + 1;
  mo := CASE WHEN mp < 10 THEN mp + 3 ELSE mp - 9 END;
  y := yoe + era * 400 + CASE WHEN mo <= 2 THEN 1 ELSE 0 END;
  y := ((y + 32768) % 65536 + 65536) % 65536 - 32768;
END
$fn$)SQL");

  // The UTC offset in seconds of instant `secs` in time zone `tz` as date-tz gives it: after
  // the zone's last transition the offset stays (gb__zone_end). Instants beyond PostgreSQL's
  // timestamp range take the offset at its ends (the zone's first or last type, as date-tz).
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb__offset(secs bigint, tz text) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  zone text := gb__zone(tz);
  t bigint;
BEGIN
  IF zone = 'UTC' THEN
    RETURN 0;
  END IF;
  t := least(greatest(least(secs, coalesce(gb__zone_end(tz), secs)), -210866630400), 9224317843200);
  RETURN extract(epoch FROM (to_timestamp(t) AT TIME ZONE zone))::bigint - t;
END
$fn$)SQL");

  // Local wall-clock seconds (as if UTC) of instant `m` (microseconds) in time zone `tz`: the
  // seconds of util::LocalDate and util::LocalSecondsOfDay (the fraction stays apart, so no
  // int64 overflow for any `m`).
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb__local_secs(m bigint, tz text) RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
  secs bigint := m / 1000000 - CASE WHEN m % 1000000 < 0 THEN 1 ELSE 0 END;
BEGIN
  IF m IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN secs + gb__offset(secs, coalesce(tz, ''));
END
$fn$)SQL");

  // util::ParseIsoDateTime: "YYYY-MM-DD[Tt ]HH:MM[:SS[(.|,)f…]][Z|z|±HH[:][MM]]" (a naive value
  // is UTC, fractions are cut to microseconds) as microseconds since the epoch, else NULL.
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb__parse_micros(v text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  y int;
  mo int;
  d int;
  h int;
  mi int;
  sec int := 0;
  frac bigint := 0;
  off int := 0;
  oh int;
  om int;
  tail text;
  digits text;
BEGIN
  -- The shape (a match without captures: PostgreSQL's regex is slow at extracting groups).
  IF v !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?([Zz]|[+-][0-9]{2}:?([0-9]{2})?)?$' THEN
    RETURN NULL;
  END IF;
  y := substr(v, 1, 4)::int;
  mo := substr(v, 6, 2)::int;
  d := substr(v, 9, 2)::int;
  h := substr(v, 12, 2)::int;
  mi := substr(v, 15, 2)::int;
  IF y < 1 OR mo < 1 OR mo > 12 OR d < 1 OR h > 23 OR mi > 59 THEN
    RETURN NULL;
  END IF;
  IF d > extract(day FROM make_date(y, mo, 1) + interval '1 month - 1 day') THEN
    RETURN NULL;
  END IF;
  tail := substr(v, 17);
  IF left(tail, 1) = ':' THEN
    sec := substr(tail, 2, 2)::int;
    IF sec > 59 THEN
      RETURN NULL;
    END IF;
    tail := substr(tail, 4);
    IF left(tail, 1) IN ('.', ',') THEN
      digits := substr(tail, 2);
      tail := ltrim(digits, '0123456789');
      frac := rpad(left(digits, least(length(digits) - length(tail), 6)), 6, '0')::bigint;
    END IF;
  END IF;
  IF tail NOT IN ('', 'Z', 'z') THEN
    oh := substr(tail, 2, 2)::int;
    om := coalesce(nullif(ltrim(substr(tail, 4), ':'), ''), '0')::int;
    IF oh > 23 OR om > 59 THEN
      RETURN NULL;
    END IF;
    off := (oh * 3600 + om * 60) * CASE WHEN left(tail, 1) = '-' THEN -1 ELSE 1 END;
  END IF;
  RETURN ((make_date(y, mo, d) - date '1970-01-01')::bigint * 86400 + h * 3600 + mi * 60 + sec - off) * 1000000
         + frac;
END
$fn$)SQL");

  // gb_local_datetime of microseconds, computed like the C++ (any instant, any year).
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb__local_datetime_slow(m bigint, tz text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
  frac bigint := ((m % 1000000) + 1000000) % 1000000;
  secs bigint;
  sod bigint;
  c record;
BEGIN
  IF m IS NULL THEN
    RETURN NULL;
  END IF;
  secs := gb__local_secs(m, tz);
  sod := ((secs % 86400) + 86400) % 86400;
  SELECT * INTO c FROM gb__civil((secs - sod) / 86400);
  RETURN gb__yyyy(c.y) || '-' || lpad(c.mo::text, 2, '0') || '-' || lpad(c.d::text, 2, '0')
         || 'T' || lpad((sod / 3600)::text, 2, '0') || ':' || lpad((sod / 60 % 60)::text, 2, '0')
         || ':' || lpad((sod % 60)::text, 2, '0') || '.' || lpad(frac::text, 6, '0');
END
$fn$)SQL");

  // gb_format_date of microseconds, computed like the C++ (util::FormatDateDisplay). The
  // include-time flag is read like sqlite3_value_int: its low 32 bits.
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb__format_date_slow(m bigint, tz text, date_format text, include_time bigint, time_format text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
  secs bigint;
  sod bigint;
  h bigint;
  mi bigint;
  c record;
  yy text;
  mm text;
  dd text;
  res text;
BEGIN
  IF m IS NULL THEN
    RETURN NULL;
  END IF;
  secs := gb__local_secs(m, tz);
  sod := ((secs % 86400) + 86400) % 86400;
  SELECT * INTO c FROM gb__civil((secs - sod) / 86400);
  yy := gb__yyyy(c.y);
  mm := lpad(c.mo::text, 2, '0');
  dd := lpad(c.d::text, 2, '0');
  res := CASE date_format WHEN 'US' THEN mm || '/' || dd || '/' || yy
                          WHEN 'ISO' THEN yy || '-' || mm || '-' || dd
                          ELSE dd || '/' || mm || '/' || yy END;
  IF coalesce(include_time & 4294967295, 0) <> 0 THEN
    h := sod / 3600;
    mi := sod / 60 % 60;
    IF time_format = '12' THEN
      res := res || ' ' || lpad((CASE WHEN h % 12 = 0 THEN 12 ELSE h % 12 END)::text, 2, '0') || ':'
             || lpad(mi::text, 2, '0') || CASE WHEN h < 12 THEN ' AM' ELSE ' PM' END;
    ELSE
      res := res || ' ' || lpad(h::text, 2, '0') || ':' || lpad(mi::text, 2, '0');
    END IF;
  END IF;
  RETURN res;
END
$fn$)SQL");

  // The to_char pattern of FormatDateDisplay for a date format, include-time flag and time format.
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb__display_pattern(text, bigint, text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE $1 WHEN 'US' THEN 'MM/DD/YYYY' WHEN 'ISO' THEN 'YYYY-MM-DD' ELSE 'DD/MM/YYYY' END
       || CASE WHEN coalesce($2 & 4294967295, 0) = 0 THEN '' WHEN $3 = '12' THEN ' HH12:MI AM' ELSE ' HH24:MI' END
$fn$)SQL");

  // FormatDateDisplay of a valid 'YYYY-MM-DD' (no time).
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb__date_text(text, text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE $2 WHEN 'US' THEN substr($1, 6, 2) || '/' || substr($1, 9, 2) || '/' || substr($1, 1, 4)
               WHEN 'ISO' THEN $1
               ELSE substr($1, 9, 2) || '/' || substr($1, 6, 2) || '/' || substr($1, 1, 4) END
$fn$)SQL");

  // --- gb_local_datetime(value, tz) ------------------------------------------------------
  // A stored date-time text or microseconds integer as the local date-time text
  // "YYYY-MM-DDTHH:MM:SS.ffffff" in `tz` ('', NULL or an unknown zone = UTC); NULL when the
  // text does not parse.

  s.push_back(std::string(R"SQL(CREATE OR REPLACE FUNCTION gb_local_datetime(text, text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN $1 IS NULL THEN NULL
            WHEN )SQL") + kFastText + "\n              THEN CASE WHEN gb__zone($2) = 'UTC' THEN $1 ELSE to_char(" +
              kFastTextInstant + R"SQL( AT TIME ZONE gb__zone($2), 'YYYY-MM-DD"T"HH24:MI:SS.US') END
            ELSE gb__local_datetime_slow(gb__parse_micros($1), $2) END
$fn$)SQL");

  s.push_back(std::string(R"SQL(CREATE OR REPLACE FUNCTION gb_local_datetime(bigint, text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN $1 IS NULL THEN NULL
            WHEN )SQL") + kFastMicros + "\n              THEN to_char(" + kFastMicrosInstant +
              R"SQL( AT TIME ZONE gb__zone($2), 'YYYY-MM-DD"T"HH24:MI:SS.US')
            ELSE gb__local_datetime_slow($1, $2) END
$fn$)SQL");

  // --- gb_format_date(value, tz, date_format, include_time, time_format) -------------------
  // A date cell (a 10-character text is a date, any other text a stored date-time; or
  // microseconds) as Baserow's text conversion prints it. include_time is an int8 (0/1); no
  // boolean overload, which would make an untyped (text or NULL) parameter ambiguous.

  s.push_back(std::string(R"SQL(CREATE OR REPLACE FUNCTION gb_format_date(text, text, text, bigint, text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN $1 IS NULL THEN NULL
            WHEN octet_length($1) = 10
              THEN CASE WHEN $1 ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' AND gb__ymd_ok($1)
                        THEN gb__date_text($1, $3) END
            WHEN )SQL") + kFastText + "\n              THEN to_char(" + kFastTextInstant +
              R"SQL( AT TIME ZONE gb__zone($2), gb__display_pattern($3, $4, $5))
            ELSE gb__format_date_slow(gb__parse_micros($1), $2, $3, $4, $5) END
$fn$)SQL");

  s.push_back(std::string(R"SQL(CREATE OR REPLACE FUNCTION gb_format_date(bigint, text, text, bigint, text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN $1 IS NULL THEN NULL
            WHEN )SQL") + kFastMicros + "\n              THEN to_char(" + kFastMicrosInstant +
              R"SQL( AT TIME ZONE gb__zone($2), gb__display_pattern($3, $4, $5))
            ELSE gb__format_date_slow($1, $2, $3, $4, $5) END
$fn$)SQL");

  // --- gb_contains_word(text, word) --------------------------------------------------------
  // 1 when `word` occurs in `text` (ASCII letters compared case-insensitively, everything else
  // exactly) with no word character right before or after it; word characters are ASCII
  // letters and digits, '_' and every non-ASCII character. 0 otherwise, also for a NULL text
  // and an empty word. The word is literal: its ASCII punctuation is escaped for the regex.
  // The bracket [^…] lists the ASCII non-word characters 0x01-0x2f, 0x3a-0x40, 0x5b-0x5e,
  // 0x60, 0x7b-0x7f; collation "C" keeps case folding to ASCII.
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb_contains_word(text, text) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN $1 IS NULL OR $2 IS NULL OR $2 = '' THEN 0
            WHEN $1 ~* (E'(?<![^\\u0001-/:-@[-^`{-\\u007f])'
                        || regexp_replace($2, E'([\\u0001-/:-@[-^`{-\\u007f])', E'\\\\\\1', 'g')
                        || E'(?![^\\u0001-/:-@[-^`{-\\u007f])') COLLATE "C"
              THEN 1 ELSE 0 END
$fn$)SQL");

  // --- gb_json_each(cell) ----------------------------------------------------------------
  // The option ids of a multiple-select cell (a JSON array of integers, as IdsJson writes it):
  // `value`, with `key` its 0-based index like SQLite's json_each (for an ORDER BY). NULL, ''
  // and texts that are not a JSON array give no rows; elements that are not integers of int64
  // range are skipped (select_types' IdsOf does the same); a malformed array is an error, as
  // in SQLite. A JSON number is an integer when it has no '.', 'e' or 'E'; CASE, not AND,
  // keeps the checks in order (no cast of a non-integer), and OFFSET 0 computes `value` once
  // per element before the caller's condition on it (je.value IN (...)) is applied.
  s.push_back(R"SQL(CREATE OR REPLACE FUNCTION gb_json_each(text) RETURNS TABLE(key int, value bigint) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT x.k, x.val FROM (
  SELECT (e.ord - 1)::int AS k,
         CASE WHEN json_typeof(e.v) <> 'number' OR strpos(e.v::text, '.') > 0 OR strpos(e.v::text, 'e') > 0
                   OR strpos(e.v::text, 'E') > 0 THEN NULL
              WHEN length(e.v::text) < 19 OR e.v::text::numeric BETWEEN -9223372036854775808 AND 9223372036854775807
                THEN e.v::text::bigint END AS val
  FROM json_array_elements(CASE WHEN left(ltrim($1, E' \t\n\r'), 1) = '[' THEN $1::json END) WITH ORDINALITY AS e(v, ord)
  OFFSET 0) AS x
WHERE x.val IS NOT NULL
$fn$)SQL");

  return s;
}

}  // namespace

const std::vector<std::string>& PostgresFunctionStatements() {
  static const std::vector<std::string> kStatements = BuildStatements();
  return kStatements;
}

}  // namespace gridbase::store
