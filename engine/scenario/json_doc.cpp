// Parsing is nlohmann's; this file adds what it does not give us: syntax errors in our words
// at file:line:col, and a map from JSON pointer to the line and column of every value.
//
// Columns count bytes from the start of the line (a UTF-8 character of two to four bytes counts
// as two to four columns); a byte-order mark is not counted.
#include "engine/scenario/json_doc.hpp"

#include <filesystem>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/base/hash.hpp"

namespace dtwin {

namespace {

// deeper nesting is rejected: no scenario needs it, and recursive code (dump, copy, our walks)
// should not have to worry about the stack
constexpr std::size_t kMaxDepth = 512;

bool has_bom(std::string_view t) {
  return t.size() >= 3 && t.substr(0, 3) == "\xEF\xBB\xBF";
}

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_structural(char c) {
  return c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',' || c == '"';
}

// a character that can be part of a bare word (a literal, a number, or garbage)
bool is_word(char c) {
  return !is_ws(c) && !is_structural(c);
}

bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// 1-based line and column of byte `offset` (which may be text.size(), the end)
std::pair<int, int> line_col(std::string_view text, std::size_t offset) {
  if (offset > text.size()) offset = text.size();
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  std::size_t col = offset - line_start + 1;
  if (line == 1 && has_bom(text) && col > 3) col -= 3;
  return {line, static_cast<int>(col)};
}

// offset just after the last character that is not whitespace (0 when there is none)
std::size_t end_of_content(std::string_view text) {
  std::size_t n = text.size();
  while (n > 0 && is_ws(text[n - 1])) --n;
  return n;
}

// A piece of the input for a message: printable ASCII and well-formed UTF-8 as they are,
// other bytes as \xNN, at most `limit` bytes of input.
std::string quote_bytes(std::string_view s, std::size_t limit = 24) {
  std::string out;
  std::size_t i = 0;
  const std::size_t n = s.size() < limit ? s.size() : limit;
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    if (c >= 0x20 && c < 0x7f) {
      len = 1;
    } else if (c >= 0xc2 && c <= 0xf4) {
      len = c < 0xe0 ? 2 : (c < 0xf0 ? 3 : 4);
      if (i + len > s.size()) len = 0;
      for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if (cc < 0x80 || cc > 0xbf) len = 0;
      }
    }
    if (len > 0) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
    }
  }
  if (s.size() > i) out += "...";
  return out;
}

// offset of the opening quote of the string whose closing quote (or end) is at `close`
std::size_t string_start(std::string_view text, std::size_t close) {
  std::size_t i = close;
  while (i > 0) {
    --i;
    if (text[i] != '"') continue;
    std::size_t backslashes = 0;
    while (backslashes < i && text[i - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return i;
  }
  return close;
}

// offset of the first bare word that starts with `word`, outside strings (text.size() if none)
std::size_t find_word(std::string_view text, std::string_view word) {
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      ++i;
    } else if (is_word(c)) {
      const std::size_t start = i;
      while (i < text.size() && is_word(text[i])) ++i;
      if (starts_with(text.substr(start, i - start), word)) return start;
    } else {
      ++i;
    }
  }
  return text.size();
}

// nlohmann's token names -> ours
std::string token_phrase(std::string_view name) {
  if (name == "string literal") return "a string";
  if (name == "number literal") return "a number";
  if (name == "true literal") return "true";
  if (name == "false literal") return "false";
  if (name == "null literal") return "null";
  if (name == "end of input") return "the end of the file";
  if (name == "'[', '{', or a literal") return "a value";
  return std::string(name);
}

std::string strip_last_read(std::string_view s) {
  const std::size_t p = s.find("; last read:");
  return std::string(p == std::string_view::npos ? s : s.substr(0, p));
}

struct Diagnosis {
  std::size_t offset;
  std::string message;
};

// Turns nlohmann's parse error into a message in our words at the most useful offset.
// `what` looks like "[json.exception.parse_error.101] parse error at line 3, column 5:
// syntax error while parsing object - unexpected string literal; expected '}'".
Diagnosis diagnose(std::string_view text, std::size_t byte, std::string_view what) {
  // the last character nlohmann read (text.size() when it ran off the end)
  const std::size_t at = byte == 0 ? 0 : (byte - 1 < text.size() ? byte - 1 : text.size());
  const std::size_t content_end = end_of_content(text);

  std::string_view rest = what;
  std::string context;
  if (const std::size_t p = rest.find("syntax error "); p != std::string_view::npos) {
    rest.remove_prefix(p + 13);
    if (starts_with(rest, "while parsing ")) {
      rest.remove_prefix(14);
      const std::size_t dash = rest.find(" - ");
      if (dash != std::string_view::npos) {
        context = std::string(rest.substr(0, dash));
        rest.remove_prefix(dash);
      }
    }
    if (starts_with(rest, " - ")) rest.remove_prefix(3);
    if (starts_with(rest, "- ")) rest.remove_prefix(2);
  } else if (const std::size_t q = rest.find(": "); q != std::string_view::npos) {
    rest.remove_prefix(q + 2);
  }
  const std::string_view full_rest = rest;  // lexer messages contain "; expected" too
  std::string expected;
  if (const std::size_t p = rest.rfind("; expected "); p != std::string_view::npos) {
    expected = std::string(rest.substr(p + 11));
    rest = rest.substr(0, p);
  }

  // what the parser found instead, and where it starts
  std::size_t start = at;
  std::string got;
  std::string hint;
  if (starts_with(rest, "unexpected ")) {
    const std::string_view tok = rest.substr(11);
    if (tok == "end of input" && at < text.size() && text[at] == '\0') {
      got = "a NUL byte";  // nlohmann takes NUL for the end of the input
    } else if (tok == "end of input") {
      start = content_end;
      got = "the end of the file";
    } else {
      if (tok == "string literal") {
        start = string_start(text, at);
      } else if (tok == "number literal") {
        while (start > 0 && is_number_char(text[start - 1])) --start;
      } else if (starts_with(tok, "true") || starts_with(tok, "false") ||
                 starts_with(tok, "null")) {
        while (start > 0 && is_alpha(text[start - 1])) --start;
      }
      const std::size_t end = at < text.size() ? at + 1 : at;
      const std::string_view found = text.substr(start, end - start);
      if (found.empty()) {
        got = "the end of the file";
      } else if (found.front() == '"') {
        got = quote_bytes(found);
      } else {
        got = "'" + quote_bytes(found) + "'";
      }
      const bool value_token = tok == "string literal" || tok == "number literal" ||
                               starts_with(tok, "true") || starts_with(tok, "false") ||
                               starts_with(tok, "null") || tok == "'['" || tok == "'{'";
      if ((context == "object" && tok == "string literal") || (context == "array" && value_token)) {
        hint = " (is a ',' missing?)";
      }
    }
  } else if (starts_with(rest, "invalid literal")) {
    // a bare word that is not true, false, null or a number
    while (start > 0 && is_word(text[start - 1])) --start;
    std::size_t end = at;
    while (end < text.size() && is_word(text[end])) ++end;
    if (end == start) {
      end = start < text.size() ? start + 1 : start;
    }
    const std::string_view word = text.substr(start, end - start);
    got = word.empty() ? "the end of the file" : "'" + quote_bytes(word) + "'";
    if (starts_with(word, "/")) {
      hint = " (JSON does not allow comments)";
    } else if (!word.empty() && is_alpha(word.front()) && !starts_with("true", word) &&
               !starts_with("false", word) && !starts_with("null", word) &&
               (context == "value" || context.empty()) && expected.empty()) {
      hint = " (strings must be in double quotes)";
    }
  } else {
    // the lexer rejected a string or a number: say what, without expected/got
    const std::string lexer = strip_last_read(full_rest);
    std::string message;
    if (starts_with(lexer, "invalid string: missing closing quote")) {
      start = string_start(text, at);
      message = "a string is missing its closing quote";
    } else if (starts_with(lexer, "invalid string: control character U+000A") ||
               starts_with(lexer, "invalid string: control character U+000D")) {
      message = "a string is not closed before the end of the line (write \\n for a line break)";
    } else if (starts_with(lexer, "invalid string: control character")) {
      message = "a control character in a string must be escaped (" + lexer.substr(34) + ")";
    } else if (starts_with(lexer, "invalid number")) {
      while (start > 0 && is_number_char(text[start - 1])) --start;
      std::size_t end = at;
      while (end < text.size() && is_word(text[end])) ++end;
      message = "bad number '" + quote_bytes(text.substr(start, end - start)) + "'";
      if (const std::size_t p = lexer.find("; "); p != std::string::npos) {
        message += ": " + lexer.substr(p + 2);
      }
    } else if (starts_with(lexer, "invalid string: ill-formed UTF-8")) {
      message = "a string contains bytes that are not UTF-8 text";
    } else if (starts_with(lexer, "invalid string: ")) {
      message = "bad string: " + lexer.substr(16);
    } else {
      message = lexer;
    }
    return {start, "invalid JSON: " + message};
  }

  std::string expect;
  if (context == "object" && expected == "'}'") {
    expect = "expected ',' or '}' after object member";
  } else if (context == "array" && expected == "']'") {
    expect = "expected ',' or ']' after array element";
  } else if (context == "object key") {
    expect = "expected a member name in double quotes";
  } else if (context == "object separator") {
    expect = "expected ':' after member name";
  } else if (context == "value" && expected == "end of input") {
    expect = "expected the end of the file after the top-level value";
  } else if (expected.empty() || expected == "'[', '{', or a literal") {
    expect = "expected a value";
  } else {
    expect = "expected " + token_phrase(expected);
    if (!context.empty()) expect += " in " + context;
  }
  if (hint.empty() && start < text.size() && (text[start] == '}' || text[start] == ']')) {
    std::size_t prev = start;
    while (prev > 0 && is_ws(text[prev - 1])) --prev;
    if (prev > 0 && text[prev - 1] == ',') hint = " (a trailing comma is not allowed)";
  }
  return {start, "invalid JSON: " + expect + ", got " + got + hint};
}

// Walks text that nlohmann accepted and records where every value starts. Iterative, so deep
// nesting cannot overflow the stack; duplicate member names are an error.
class PositionScanner {
  struct Frame {
    bool object;
    std::string pointer;
    std::size_t index = 0;
    std::unordered_map<std::string, int> key_lines;  // object member -> line of its name
  };

 public:
  PositionScanner(const JsonDoc& doc, std::unordered_map<std::uint64_t, std::pair<int, int>>& out)
      : doc_(doc), text_(doc.text), out_(out) {
    if (has_bom(text_)) i_ = 3;
  }

  void run() {
    std::vector<Frame> stack;
    std::string pointer;  // of the value about to be read
    bool want_value = true;
    for (;;) {
      skip_ws();
      if (want_value) {
        if (i_ >= text_.size()) return;  // cannot happen for accepted text
        out_[hash_name(pointer)] = here();
        const char c = text_[i_];
        if (c == '{' || c == '[') {
          if (stack.size() >= kMaxDepth) {
            throw ScenarioError(
                location(i_), pointer,
                "invalid JSON: nested deeper than " + std::to_string(kMaxDepth) + " levels");
          }
          stack.push_back(Frame{c == '{', pointer, 0, {}});
          ++i_;
          skip_ws();
          const char close = c == '{' ? '}' : ']';
          if (i_ < text_.size() && text_[i_] == close) {
            ++i_;
            stack.pop_back();
            want_value = false;
          } else if (c == '{') {
            pointer = read_key(stack.back());
          } else {
            pointer = stack.back().pointer + "/0";
          }
          continue;
        }
        if (c == '"') {
          skip_string();
        } else {
          while (i_ < text_.size() && is_word(text_[i_])) ++i_;
        }
        want_value = false;
        continue;
      }
      // after a value: ',' or the end of the enclosing container
      if (stack.empty()) break;
      if (i_ >= text_.size()) return;
      const char c = text_[i_++];
      Frame& top = stack.back();
      if (c == ',') {
        skip_ws();
        if (top.object) {
          pointer = read_key(top);
        } else {
          pointer = top.pointer + "/" + std::to_string(++top.index);
        }
        want_value = true;
      } else {
        stack.pop_back();  // '}' or ']'
      }
    }
    // nlohmann stops at a NUL byte as if the input ended there; we do not
    skip_ws();
    if (i_ < text_.size()) {
      throw ScenarioError(location(i_), "",
                          "invalid JSON: expected the end of the file after the top-level value, "
                          "got '" +
                              quote_bytes(text_.substr(i_, 1)) + "'");
    }
  }

 private:
  std::pair<int, int> here() const {
    int col = static_cast<int>(i_ - line_start_) + 1;
    if (line_ == 1 && has_bom(text_)) col -= 3;
    return {line_, col};
  }
  SourceLocation location(std::size_t offset) const {
    const auto [line, col] = line_col(text_, offset);
    return SourceLocation{doc_.file, line, col};
  }

  void skip_ws() {
    while (i_ < text_.size() && is_ws(text_[i_])) {
      if (text_[i_] == '\n') {
        ++line_;
        line_start_ = i_ + 1;
      }
      ++i_;
    }
  }

  void skip_string() {
    ++i_;  // opening quote
    while (i_ < text_.size() && text_[i_] != '"') i_ += text_[i_] == '\\' ? 2 : 1;
    ++i_;  // closing quote
    if (i_ > text_.size()) i_ = text_.size();
  }

  static unsigned hex4(std::string_view s) {
    unsigned v = 0;
    for (char c : s) {
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  // decodes the string at i_ (the text is valid JSON, so escapes are well formed)
  std::string decode_string() {
    std::string out;
    ++i_;
    while (i_ < text_.size() && text_[i_] != '"') {
      const char c = text_[i_];
      if (c != '\\') {
        out += c;
        ++i_;
        continue;
      }
      if (i_ + 1 >= text_.size()) break;
      const char e = text_[i_ + 1];
      i_ += 2;
      switch (e) {
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          if (i_ + 4 > text_.size()) return out;
          unsigned cp = hex4(text_.substr(i_, 4));
          i_ += 4;
          if (cp >= 0xd800 && cp <= 0xdbff && i_ + 6 <= text_.size() && text_[i_] == '\\' &&
              text_[i_ + 1] == 'u') {
            const unsigned lo = hex4(text_.substr(i_ + 2, 4));
            i_ += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          out += e;  // '"', '\\', '/'
      }
    }
    if (i_ < text_.size()) ++i_;  // closing quote
    return out;
  }

  // reads `"name" :` of the next member; returns the member's pointer
  std::string read_key(Frame& frame) {
    const std::size_t key_offset = i_;
    const int key_line = line_;
    std::string key = decode_string();
    std::string ptr = frame.pointer + "/" + pointer_escape(key);
    const auto [it, inserted] = frame.key_lines.emplace(std::move(key), key_line);
    if (!inserted) {
      throw ScenarioError(location(key_offset), ptr,
                          "duplicate member \"" + quote_bytes(it->first, 60) +
                              "\" in object (first at line " + std::to_string(it->second) + ")");
    }
    skip_ws();
    if (i_ < text_.size() && text_[i_] == ':') ++i_;
    return ptr;
  }

  const JsonDoc& doc_;
  std::string_view text_;
  std::unordered_map<std::uint64_t, std::pair<int, int>>& out_;
  std::size_t i_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
};

}  // namespace

std::string pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

const std::pair<int, int>* JsonDoc::position(std::string_view pointer) const {
  const auto it = positions.find(hash_name(pointer));
  return it == positions.end() ? nullptr : &it->second;
}

SourceLocation JsonDoc::locate(std::string_view pointer) const {
  std::string p(pointer);
  for (;;) {
    if (const auto* at = position(p)) return SourceLocation{file, at->first, at->second};
    if (p.empty()) return SourceLocation{file, 0, 0};
    const std::size_t slash = p.rfind('/');
    p.resize(slash == std::string::npos ? 0 : slash);
  }
}

namespace {
[[noreturn]] void too_large(const std::string& file, std::uintmax_t bytes) {
  throw UsageError(file + ": " + std::to_string(bytes) + " bytes: a scenario may have at most " +
                   std::to_string(kMaxJsonBytes >> 20) +
                   " MiB (data sets belong in the CSV or weather files it names)");
}
}  // namespace

JsonDoc parse_json(std::string text, std::string file_label) {
  JsonDoc doc;
  doc.file = std::move(file_label);
  doc.text = std::move(text);
  const std::string_view t = doc.text;

  if (t.empty()) {
    throw ScenarioError(SourceLocation{doc.file, 1, 1}, "", "invalid JSON: the file is empty");
  }
  if (t.size() > kMaxJsonBytes) too_large(doc.file, t.size());
  if (end_of_content(t) == 0) {
    throw ScenarioError(SourceLocation{doc.file, 1, 1}, "",
                        "invalid JSON: the file contains only whitespace");
  }

  try {
    doc.value = nlohmann::json::parse(doc.text);
  } catch (const nlohmann::json::parse_error& e) {
    const Diagnosis d = diagnose(t, e.byte, e.what());
    const auto [line, col] = line_col(t, d.offset);
    throw ScenarioError(SourceLocation{doc.file, line, col}, "", d.message);
  } catch (const nlohmann::json::out_of_range& e) {
    // "number overflow parsing '1e400'": nlohmann gives no position, so find the number
    std::string_view what = e.what();
    std::string number;
    if (const std::size_t p = what.find('\''); p != std::string_view::npos) {
      number = std::string(what.substr(p + 1, what.size() - p - 2));
    }
    const std::size_t offset = number.empty() ? t.size() : find_word(t, number);
    SourceLocation loc{doc.file, 0, 0};
    if (offset < t.size()) std::tie(loc.line, loc.col) = line_col(t, offset);
    throw ScenarioError(
        loc, "", "invalid JSON: the number " + quote_bytes(number) + " is too large to represent");
  } catch (const nlohmann::json::exception& e) {
    throw ScenarioError(SourceLocation{doc.file, 0, 0}, "",
                        std::string("invalid JSON: ") + e.what());
  }

  PositionScanner(doc, doc.positions).run();
  return doc;
}

JsonDoc load_json_file(const std::string& path) {
  auto fail = [&path](int err) {
    throw UsageError("cannot read " + path + ": " + std::generic_category().message(err));
  };
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail(errno);
  std::error_code ec;
  if (const auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxJsonBytes)
    too_large(path, size);
  std::string text;
  char buf[65536];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
    text.append(buf, n);
    if (n < sizeof buf) {
      if (std::ferror(f.get())) fail(errno != 0 ? errno : EIO);
      break;
    }
  }
  return parse_json(std::move(text), path);
}

std::vector<std::string> pointer_tokens(const std::string& p) {
  std::vector<std::string> out;
  if (p.empty()) return out;
  std::size_t i = 1;
  while (true) {
    const std::size_t j = p.find('/', i);
    std::string t = p.substr(i, j == std::string::npos ? std::string::npos : j - i);
    std::string u;
    for (std::size_t k = 0; k < t.size(); ++k) {
      if (t[k] == '~' && k + 1 < t.size()) {
        u += t[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        u += t[k];
      }
    }
    out.push_back(u);
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

}  // namespace dtwin
