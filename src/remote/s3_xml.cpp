// S3 answers in a small, fixed XML vocabulary; reading it by tag keeps a dependency out.
#include "remote/s3_xml.hpp"

namespace migsafe::remote {
namespace {

// Where the element `<tag>` or `<tag attr...>` starting at or after `from` opens; npos if none.
size_t find_open(const std::string& xml, const std::string& tag, size_t from, size_t* content) {
  const std::string open = "<" + tag;
  for (size_t at = xml.find(open, from); at != std::string::npos; at = xml.find(open, at + 1)) {
    size_t after = at + open.size();
    if (after >= xml.size()) return std::string::npos;
    char c = xml[after];
    if (c != '>' && c != ' ' && c != '/' && c != '\t' && c != '\n') continue;
    size_t end = xml.find('>', after);
    if (end == std::string::npos) return std::string::npos;
    *content = xml[end - 1] == '/' ? std::string::npos : end + 1;  // <tag/> is empty
    return at;
  }
  return std::string::npos;
}

void append_utf8(std::string& out, unsigned long code) {
  if (code < 0x80) {
    out += char(code);
  } else if (code < 0x800) {
    out += char(0xC0 | (code >> 6));
    out += char(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += char(0xE0 | (code >> 12));
    out += char(0x80 | ((code >> 6) & 0x3F));
    out += char(0x80 | (code & 0x3F));
  } else {
    out += char(0xF0 | (code >> 18));
    out += char(0x80 | ((code >> 12) & 0x3F));
    out += char(0x80 | ((code >> 6) & 0x3F));
    out += char(0x80 | (code & 0x3F));
  }
}

}  // namespace

std::vector<std::string> xml_blocks(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  const std::string close = "</" + tag + ">";
  size_t from = 0;
  while (true) {
    size_t content = 0;
    size_t at = find_open(xml, tag, from, &content);
    if (at == std::string::npos) break;
    if (content == std::string::npos) {
      out.emplace_back();
      from = at + 1;
      continue;
    }
    size_t end = xml.find(close, content);
    if (end == std::string::npos) break;
    out.push_back(xml.substr(content, end - content));
    from = end + close.size();
  }
  return out;
}

std::string xml_value(const std::string& xml, const std::string& tag) {
  auto blocks = xml_blocks(xml, tag);
  return blocks.empty() ? "" : xml_unescape(blocks.front());
}

std::string xml_unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    size_t semi = text[i] == '&' ? text.find(';', i) : std::string::npos;
    if (semi == std::string::npos || semi - i > 10) {
      out += text[i];
      continue;
    }
    std::string name = text.substr(i + 1, semi - i - 1);
    if (name == "amp") out += '&';
    else if (name == "lt") out += '<';
    else if (name == "gt") out += '>';
    else if (name == "quot") out += '"';
    else if (name == "apos") out += '\'';
    else if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      try {
        append_utf8(out, std::stoul(name.substr(hex ? 2 : 1), nullptr, hex ? 16 : 10));
      } catch (const std::exception&) {
        out += text.substr(i, semi - i + 1);
      }
    } else {
      out += text.substr(i, semi - i + 1);
    }
    i = semi;
  }
  return out;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace migsafe::remote
