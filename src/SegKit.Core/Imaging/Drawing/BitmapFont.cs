namespace SegKit.Imaging.Drawing;

/// <summary>
/// A fixed-width bitmap font for printable ASCII (32..126), drawn by <see cref="Draw.Text"/>.
/// Each glyph is <see cref="GlyphWidth"/> × <see cref="GlyphHeight"/> pixels; characters advance by
/// <see cref="Advance"/> (glyph width plus one blank column). Characters outside printable ASCII draw as '?'.
/// Scaling by an integer factor repeats each font pixel factor × factor times (no smoothing).
/// </summary>
public sealed class BitmapFont
{
    private readonly byte[] _rows; // GlyphHeight bytes per glyph, bit (GlyphWidth - 1 - x) = column x

    /// <summary>Glyph cell width in font pixels.</summary>
    public int GlyphWidth { get; }

    /// <summary>Glyph cell height in font pixels (cap height and the squeezed descenders fit inside).</summary>
    public int GlyphHeight { get; }

    /// <summary>Horizontal distance between glyph origins in font pixels: <see cref="GlyphWidth"/> + 1.</summary>
    public int Advance => GlyphWidth + 1;

    private BitmapFont(int glyphWidth, int glyphHeight, byte[] rows)
    {
        GlyphWidth = glyphWidth;
        GlyphHeight = glyphHeight;
        _rows = rows;
    }

    /// <summary>
    /// Size in image pixels of <paramref name="text"/> drawn at <paramref name="scale"/>: width
    /// (n × Advance − 1) × scale (no trailing blank column), height GlyphHeight × scale; (0, 0) for empty text.
    /// </summary>
    public (int Width, int Height) Measure(string text, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        if (text.Length == 0) return (0, 0);
        return ((text.Length * Advance - 1) * scale, GlyphHeight * scale);
    }

    /// <summary>True when font pixel (x, y) of character <paramref name="c"/>'s glyph is ink.</summary>
    public bool IsInk(char c, int x, int y)
    {
        if ((uint)x >= (uint)GlyphWidth || (uint)y >= (uint)GlyphHeight) return false;
        return (GlyphRow(c, y) >> (GlyphWidth - 1 - x) & 1) != 0;
    }

    /// <summary>Row <paramref name="y"/> of the glyph of <paramref name="c"/>: bit (GlyphWidth − 1 − x) is column x.</summary>
    internal int GlyphRow(char c, int y)
    {
        int index = c is >= ' ' and <= '~' ? c - ' ' : '?' - ' ';
        return _rows[index * GlyphHeight + y];
    }

    private static BitmapFont Parse(int width, int height, string[] glyphs)
    {
        if (glyphs.Length != 95) throw new InvalidOperationException($"font has {glyphs.Length} glyphs; 95 (ASCII 32..126) expected");
        var rows = new byte[95 * height];
        for (int g = 0; g < glyphs.Length; g++)
        {
            string[] lines = glyphs[g].Split(' ');
            if (lines.Length != height) throw new InvalidOperationException($"glyph {(char)(g + 32)} has {lines.Length} rows; {height} expected");
            for (int y = 0; y < height; y++)
            {
                if (lines[y].Length != width) throw new InvalidOperationException($"glyph {(char)(g + 32)} row {y} is not {width} wide");
                int bits = 0;
                foreach (char ch in lines[y]) bits = bits << 1 | (ch == '#' ? 1 : 0);
                rows[g * height + y] = (byte)bits;
            }
        }
        return new BitmapFont(width, height, rows);
    }

    // ASCII 32..126 in order, one glyph per line, 7 rows of 5 columns separated by spaces ('#' = ink).
    private static readonly string[] Glyphs5x7 =
    [
        "..... ..... ..... ..... ..... ..... .....", // ' '
        "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..", // !
        ".#.#. .#.#. .#.#. ..... ..... ..... .....", // "
        ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.", // #
        "..#.. .#### #.#.. .###. ..#.# ####. ..#..", // $
        "##... ##..# ...#. ..#.. .#... #..## ...##", // %
        ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#", // &
        "..#.. ..#.. .#... ..... ..... ..... .....", // '
        "...#. ..#.. .#... .#... .#... ..#.. ...#.", // (
        ".#... ..#.. ...#. ...#. ...#. ..#.. .#...", // )
        "..... ..#.. #.#.# .###. #.#.# ..#.. .....", // *
        "..... ..#.. ..#.. ##### ..#.. ..#.. .....", // +
        "..... ..... ..... ..... .##.. ..#.. .#...", // ,
        "..... ..... ..... ##### ..... ..... .....", // -
        "..... ..... ..... ..... ..... .##.. .##..", // .
        "..... ....# ...#. ..#.. .#... #.... .....", // /
        ".###. #...# #..## #.#.# ##..# #...# .###.", // 0
        "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.", // 1
        ".###. #...# ....# ...#. ..#.. .#... #####", // 2
        "##### ...#. ..#.. ...#. ....# #...# .###.", // 3
        "...#. ..##. .#.#. #..#. ##### ...#. ...#.", // 4
        "##### #.... ####. ....# ....# #...# .###.", // 5
        "..##. .#... #.... ####. #...# #...# .###.", // 6
        "##### ....# ...#. ..#.. .#... .#... .#...", // 7
        ".###. #...# #...# .###. #...# #...# .###.", // 8
        ".###. #...# #...# .#### ....# ...#. .##..", // 9
        "..... .##.. .##.. ..... .##.. .##.. .....", // :
        "..... .##.. .##.. ..... .##.. ..#.. .#...", // ;
        "...#. ..#.. .#... #.... .#... ..#.. ...#.", // <
        "..... ..... ##### ..... ##### ..... .....", // =
        ".#... ..#.. ...#. ....# ...#. ..#.. .#...", // >
        ".###. #...# ....# ...#. ..#.. ..... ..#..", // ?
        ".###. #...# ....# .##.# #.#.# #.#.# .###.", // @
        ".###. #...# #...# ##### #...# #...# #...#", // A
        "####. #...# #...# ####. #...# #...# ####.", // B
        ".###. #...# #.... #.... #.... #...# .###.", // C
        "###.. #..#. #...# #...# #...# #..#. ###..", // D
        "##### #.... #.... ####. #.... #.... #####", // E
        "##### #.... #.... ####. #.... #.... #....", // F
        ".###. #...# #.... #.### #...# #...# .####", // G
        "#...# #...# #...# ##### #...# #...# #...#", // H
        ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.", // I
        "..### ...#. ...#. ...#. ...#. #..#. .##..", // J
        "#...# #..#. #.#.. ##... #.#.. #..#. #...#", // K
        "#.... #.... #.... #.... #.... #.... #####", // L
        "#...# ##.## #.#.# #.#.# #...# #...# #...#", // M
        "#...# #...# ##..# #.#.# #..## #...# #...#", // N
        ".###. #...# #...# #...# #...# #...# .###.", // O
        "####. #...# #...# ####. #.... #.... #....", // P
        ".###. #...# #...# #...# #.#.# #..#. .##.#", // Q
        "####. #...# #...# ####. #.#.. #..#. #...#", // R
        ".#### #.... #.... .###. ....# ....# ####.", // S
        "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..", // T
        "#...# #...# #...# #...# #...# #...# .###.", // U
        "#...# #...# #...# #...# #...# .#.#. ..#..", // V
        "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.", // W
        "#...# #...# .#.#. ..#.. .#.#. #...# #...#", // X
        "#...# #...# #...# .#.#. ..#.. ..#.. ..#..", // Y
        "##### ....# ...#. ..#.. .#... #.... #####", // Z
        ".###. .#... .#... .#... .#... .#... .###.", // [
        "..... #.... .#... ..#.. ...#. ....# .....", // \
        ".###. ...#. ...#. ...#. ...#. ...#. .###.", // ]
        "..#.. .#.#. #...# ..... ..... ..... .....", // ^
        "..... ..... ..... ..... ..... ..... #####", // _
        ".#... ..#.. ...#. ..... ..... ..... .....", // `
        "..... ..... .###. ....# .#### #...# .####", // a
        "#.... #.... #.##. ##..# #...# #...# ####.", // b
        "..... ..... .###. #.... #.... #...# .###.", // c
        "....# ....# .##.# #..## #...# #...# .####", // d
        "..... ..... .###. #...# ##### #.... .###.", // e
        "..##. .#..# .#... ###.. .#... .#... .#...", // f
        "..... .#### #...# #...# .#### ....# .###.", // g
        "#.... #.... #.##. ##..# #...# #...# #...#", // h
        "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.", // i
        "...#. ..... ..##. ...#. ...#. #..#. .##..", // j
        "#.... #.... #..#. #.#.. ##... #.#.. #..#.", // k
        ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.", // l
        "..... ..... ##.#. #.#.# #.#.# #...# #...#", // m
        "..... ..... #.##. ##..# #...# #...# #...#", // n
        "..... ..... .###. #...# #...# #...# .###.", // o
        "..... ..... ####. #...# ####. #.... #....", // p
        "..... ..... .##.# #..## .#### ....# ....#", // q
        "..... ..... #.##. ##..# #.... #.... #....", // r
        "..... ..... .###. #.... .###. ....# ####.", // s
        ".#... .#... ###.. .#... .#... .#..# ..##.", // t
        "..... ..... #...# #...# #...# #..## .##.#", // u
        "..... ..... #...# #...# #...# .#.#. ..#..", // v
        "..... ..... #...# #...# #.#.# #.#.# .#.#.", // w
        "..... ..... #...# .#.#. ..#.. .#.#. #...#", // x
        "..... ..... #...# #...# .#### ....# .###.", // y
        "..... ..... ##### ...#. ..#.. .#... #####", // z
        "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#.", // {
        "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..", // |
        ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#...", // }
        "..... ..... .#... #.#.# ...#. ..... .....", // ~
    ];

    // Declared after the glyph table: static initialisers run in text order.
    /// <summary>The built-in 5 × 7 font (HD44780-style glyphs, defined as data in this file).</summary>
    public static BitmapFont Default5x7 { get; } = Parse(5, 7, Glyphs5x7);
}
