// The fonts of the viewer: DejaVu Sans for labels and the HUD, DejaVu Sans Mono for the
// inspector's columns (Debian: fonts-dejavu-core). Without them OpenSceneGraph's built-in font
// is used, which is legible but plain.
#pragma once

#include <osg/ref_ptr>
#include <osgText/Font>

namespace dtwin::viewer {

osg::ref_ptr<osgText::Font> ui_font(bool mono = false);

}  // namespace dtwin::viewer
