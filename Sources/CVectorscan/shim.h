// Debian's libvectorscan-dev installs Hyperscan's API as <hs/hs.h>.
#include <hs/hs.h>
