# Writes OUT: a C++ file defining `std::string_view omnivibe::embedded::NAME`
# with the text of FILE, so the binary serves it without reading the disk.
file(READ ${FILE} text)
string(FIND "${text}" ")omnivibe_text\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${FILE} contains the raw-string delimiter")
endif()
set(body "// Generated from ${FILE}; do not edit.\n#include <string_view>\n\nnamespace omnivibe::embedded {\nextern const std::string_view ${NAME};\nconst std::string_view ${NAME} = R\"omnivibe_text(${text})omnivibe_text\";\n}  // namespace omnivibe::embedded\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
