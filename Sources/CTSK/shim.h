#include <tsk/libtsk.h>
