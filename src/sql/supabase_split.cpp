// A re-implementation of the Supabase CLI's statement splitter, from its documented behaviour
// (supabase/cli pkg/parser/token.go and state.go): a per-character state machine that emits a
// statement at each ';' read in its ready state. Each statement is then stripped of trailing ';'
// and of surrounding Unicode white space, and dropped when empty.
//
// States: ready; after one '-' ; a delimited run ("--" comment up to '\n', or $tag$ ... $tag$);
// a block comment with a depth; a quote ('' or "") that ends lazily at the first character after
// a lone closing quote; a "$tag" being read; a backslash escape (the next character is skipped);
// and an "atomic" region (a '(' up to ')', or BEGIN ATOMIC up to END) that wraps another state.
#include "sql/supabase_split.hpp"

#include <memory>

namespace migsafe::sql {
namespace {

enum class Kind { ready, dash, delimited, block, quote, tag, escape, atomic };

struct State {
  Kind kind = Kind::ready;
  std::string delimiter;         // delimited, atomic: what ends it; tag: unused
  int depth = 0;                 // block comments
  char32_t quote = 0;            // quote: ' or "
  bool closing = false;          // quote: a quote character was just read
  size_t tag_start = 0;          // tag: offset of its '$' in the statement
  std::unique_ptr<State> inner;  // atomic: the state it runs inside
};

std::unique_ptr<State> make(Kind kind) {
  auto s = std::make_unique<State>();
  s->kind = kind;
  return s;
}

// Decodes the UTF-8 character at `pos` of `s` into `width` bytes; as Go's utf8.DecodeRune, an
// invalid or truncated sequence is U+FFFD of width 1.
char32_t decode(std::string_view s, size_t pos, size_t& width) {
  const auto b = static_cast<unsigned char>(s[pos]);
  width = 1;
  if (b < 0x80) return b;
  const size_t extra = b >= 0xF0 && b < 0xF5 ? 3 : b >= 0xE0 && b < 0xF0 ? 2 : b >= 0xC2 && b < 0xE0 ? 1 : 0;
  if (extra == 0 || pos + extra >= s.size()) return 0xFFFD;
  char32_t c = b & (0x3F >> extra);
  for (size_t i = 1; i <= extra; ++i) {
    const auto n = static_cast<unsigned char>(s[pos + i]);
    if ((n & 0xC0) != 0x80) return 0xFFFD;
    c = (c << 6) | (n & 0x3F);
  }
  width = extra + 1;
  return c;
}

// Go's unicode.IsLetter || IsDigit, approximated outside ASCII: punctuation, symbols, box
// drawing and emoji blocks are not letters; other non-ASCII characters are.
bool is_letter_or_digit(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  if (c < 0xC0 || c == 0xD7 || c == 0xF7 || c == 0xFFFD) return false;
  if (c >= 0x2000 && c <= 0x2BFF) return false;
  if (c >= 0x3000 && c <= 0x303F) return false;
  return !(c >= 0x1F000 && c <= 0x1FAFF);
}

bool is_identifier_char(char32_t c) {
  return is_letter_or_digit(c) || c == '_' || c == '$';
}

bool is_unicode_space(char32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

bool equal_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
    if (x != y) return false;
  }
  return true;
}

bool ends_with(std::string_view data, std::string_view tail) {
  return data.size() >= tail.size() && data.substr(data.size() - tail.size()) == tail;
}

// The character before byte `end` of `data` (0 when none).
char32_t last_char(std::string_view data, size_t end) {
  if (end == 0) return 0;
  size_t start = end - 1;
  while (start > 0 && end - start < 4 && (static_cast<unsigned char>(data[start]) & 0xC0) == 0x80) --start;
  size_t width = 0;
  return decode(data.substr(0, end), start, width);
}

// Whether `data` (the statement so far) ends in "BEGIN <spaces> ATOMIC", each a whole word.
bool ends_begin_atomic(std::string_view data) {
  if (data.size() < 6 || !equal_fold(data.substr(data.size() - 6), "ATOMIC")) return false;
  size_t offset = data.size() - 6;
  if (offset > 0 && is_identifier_char(last_char(data, offset))) return false;
  size_t end = offset;
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(data[start]) & 0xC0) == 0x80) --start;
    size_t width = 0;
    if (!is_unicode_space(decode(data, start, width))) break;
    end = start;
  }
  if (end < 5 || !equal_fold(data.substr(end - 5, 5), "BEGIN")) return false;
  return end == 5 || !is_identifier_char(last_char(data, end - 5));
}

// The next state of `s` after character `c`, `data` being the statement up to and including it.
// nullptr means: emit the statement.
std::unique_ptr<State> next(std::unique_ptr<State> s, char32_t c, std::string_view data);

std::unique_ptr<State> from_ready(std::unique_ptr<State> s, char32_t c, std::string_view data) {
  switch (c) {
    case '$': {
      auto t = make(Kind::tag);
      t->tag_start = data.size() - 1;
      return t;
    }
    case '\'':
    case '"': {
      auto q = make(Kind::quote);
      q->quote = c;
      return q;
    }
    case '-': return make(Kind::dash);
    case '/': return make(Kind::block);
    case '\\': return make(Kind::escape);
    case ';': return nullptr;
    case '(': {
      auto a = make(Kind::atomic);
      a->delimiter = ")";
      a->inner = std::move(s);
      return a;
    }
    case 'c':
    case 'C':
      if (ends_begin_atomic(data)) {
        auto a = make(Kind::atomic);
        a->delimiter = "END";
        a->inner = std::move(s);
        return a;
      }
      break;
    default: break;
  }
  return s;
}

std::unique_ptr<State> ready_next(char32_t c, std::string_view data) {
  return from_ready(make(Kind::ready), c, data);
}

std::unique_ptr<State> next(std::unique_ptr<State> s, char32_t c, std::string_view data) {
  switch (s->kind) {
    case Kind::ready: return from_ready(std::move(s), c, data);
    case Kind::dash:
      if (c == '-') {
        auto d = make(Kind::delimited);
        d->delimiter = "\n";
        return d;
      }
      return ready_next(c, data);
    case Kind::block:
      if (ends_with(data, "/*")) {
        ++s->depth;
        return s;
      }
      if (s->depth == 0) return ready_next(c, data);
      if (ends_with(data, "*/") && --s->depth == 0) return make(Kind::ready);
      return s;
    case Kind::quote:
      if (s->closing) {
        if (c == s->quote) {
          s->closing = false;
          return s;
        }
        return ready_next(c, data);
      }
      if (c == s->quote) s->closing = true;
      return s;
    case Kind::delimited:
      return ends_with(data, s->delimiter) ? make(Kind::ready) : std::move(s);
    case Kind::tag:
      if (c == '$') {
        auto d = make(Kind::delimited);
        d->delimiter = std::string(data.substr(s->tag_start));
        return d;
      }
      if (is_letter_or_digit(c) || c == '_') return s;
      return ready_next(c, data);
    case Kind::escape: return make(Kind::ready);
    case Kind::atomic: {
      if (auto inner = next(std::move(s->inner), c, data)) {
        s->inner = std::move(inner);
      } else {
        s->inner = make(Kind::ready);  // a ';' inside: the region goes on
      }
      if (s->inner->kind == Kind::ready && data.size() >= s->delimiter.size() &&
          equal_fold(data.substr(data.size() - s->delimiter.size()), s->delimiter)) {
        return make(Kind::ready);
      }
      return s;
    }
  }
  return s;
}

// strings.TrimRight(text, ";") then strings.TrimSpace.
std::string trimmed(std::string_view text) {
  while (!text.empty() && text.back() == ';') text.remove_suffix(1);
  size_t begin = 0;
  while (begin < text.size()) {
    size_t width = 0;
    if (!is_unicode_space(decode(text, begin, width))) break;
    begin += width;
  }
  size_t end = text.size();
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t width = 0;
    if (!is_unicode_space(decode(text, start, width)) || start + width != end) break;
    end = start;
  }
  return std::string(text.substr(begin, end - begin));
}

}  // namespace

std::vector<std::string> supabase_statements(std::string_view source) {
  std::vector<std::string> out;
  auto keep = [&out](std::string_view token) {
    std::string text = trimmed(token);
    if (!text.empty()) out.push_back(std::move(text));
  };
  std::unique_ptr<State> state = make(Kind::ready);
  size_t start = 0;
  for (size_t pos = 0; pos < source.size();) {
    size_t width = 0;
    const char32_t c = decode(source, pos, width);
    pos += width;
    const std::string_view data = source.substr(start, pos - start);
    state = next(std::move(state), c, data);
    if (!state) {
      keep(data);
      start = pos;
      state = make(Kind::ready);
    }
  }
  if (start < source.size()) keep(source.substr(start));
  return out;
}

}  // namespace migsafe::sql
