# -DOMNIVIBE_SANITIZE=ON builds everything with AddressSanitizer and
# UndefinedBehaviorSanitizer; UB is made fatal so a test cannot pass over it.
option(OMNIVIBE_SANITIZE "Build with ASan and UBSan" OFF)
if(OMNIVIBE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
