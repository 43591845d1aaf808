// The few pieces of S3's XML responses migsafe reads (error codes, upload ids, listings): found by
// tag, not by a general XML parser.
#pragma once

#include <string>
#include <vector>

namespace migsafe::remote {

// The text of the first `<tag>...</tag>` in `xml` (entities decoded), or "" when absent.
std::string xml_value(const std::string& xml, const std::string& tag);

// The inner XML of every `<tag>...</tag>` in `xml`, in order.
std::vector<std::string> xml_blocks(const std::string& xml, const std::string& tag);

// `text` with XML's escapes (&amp; &lt; &gt; &quot; &apos; &#N; &#xN;) decoded.
std::string xml_unescape(const std::string& text);

// `text` escaped for an XML element's content.
std::string xml_escape(const std::string& text);

}  // namespace migsafe::remote
