# cmake -P helper: writes INPUT as a char array named kData<INDEX> into OUTPUT.
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){32})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT}
  "// Generated from ${NAME}; do not edit.\n"
  "namespace lutgemm::embedded::detail {\n"
  "extern const char kData${INDEX}[];\nextern const unsigned long kSize${INDEX};\n"
  "const char kData${INDEX}[] = {${bytes} '\\0'};\n"
  "const unsigned long kSize${INDEX} = ${size};\n"
  "} // namespace lutgemm::embedded::detail\n")
