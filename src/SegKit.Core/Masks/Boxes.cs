namespace SegKit.Masks;

/// <summary>
/// An axis-aligned box by its corners (X1, Y1) top-left and (X2, Y2) bottom-right, in pixels
/// (torchvision's XYXY). Nothing forces X1 ≤ X2: a degenerate or inverted box has zero or negative
/// <see cref="Width"/>, exactly as torchvision computes it.
/// </summary>
public readonly record struct BoxXyxy(float X1, float Y1, float X2, float Y2)
{
    /// <summary>X2 − X1.</summary>
    public float Width => X2 - X1;

    /// <summary>Y2 − Y1.</summary>
    public float Height => Y2 - Y1;

    /// <summary>Width × Height as torchvision's box_area computes it (negative for an inverted box).</summary>
    public float Area => (X2 - X1) * (Y2 - Y1);

    /// <summary>(X1, Y1, width, height), COCO's box format.</summary>
    public BoxXywh ToXywh() => new(X1, Y1, X2 - X1, Y2 - Y1);

    /// <summary>(centre x, centre y, width, height), YOLO's box format.</summary>
    public BoxCxcywh ToCxcywh() => new((X1 + X2) / 2, (Y1 + Y2) / 2, X2 - X1, Y2 - Y1);

    /// <summary>From COCO's (x, y, width, height).</summary>
    public static BoxXyxy FromXywh(float x, float y, float width, float height) => new(x, y, x + width, y + height);

    /// <summary>From (centre x, centre y, width, height) as torchvision's box_convert: x1 = cx − w/2.</summary>
    public static BoxXyxy FromCxcywh(float cx, float cy, float width, float height) =>
        new(cx - 0.5f * width, cy - 0.5f * height, cx + 0.5f * width, cy + 0.5f * height);

    /// <summary>
    /// Intersection over union as torchvision's box_iou (float arithmetic; two zero-area boxes give NaN
    /// there and 0 here, because a NaN IoU never suppresses anything either way).
    /// </summary>
    public float Iou(BoxXyxy other)
    {
        float inter = IntersectionArea(other);
        float union = Area + other.Area - inter;
        return union > 0 ? inter / union : 0f;
    }

    /// <summary>Area of the overlap (0 when the boxes do not overlap).</summary>
    public float IntersectionArea(BoxXyxy other)
    {
        float w = MathF.Max(0f, MathF.Min(X2, other.X2) - MathF.Max(X1, other.X1));
        float h = MathF.Max(0f, MathF.Min(Y2, other.Y2) - MathF.Max(Y1, other.Y1));
        return w * h;
    }

    /// <summary>Clamps the corners into [0, width] × [0, height] (torchvision's clip_boxes_to_image).</summary>
    public BoxXyxy Clip(float width, float height) => new(
        Math.Clamp(X1, 0f, width), Math.Clamp(Y1, 0f, height),
        Math.Clamp(X2, 0f, width), Math.Clamp(Y2, 0f, height));

    /// <inheritdoc/>
    public override string ToString() => $"xyxy({X1}, {Y1}, {X2}, {Y2})";
}

/// <summary>A box as COCO writes it: top-left (X, Y), Width and Height in pixels.</summary>
public readonly record struct BoxXywh(float X, float Y, float Width, float Height)
{
    /// <summary>Width × Height.</summary>
    public float Area => Width * Height;

    /// <summary>The corner form.</summary>
    public BoxXyxy ToXyxy() => new(X, Y, X + Width, Y + Height);
}

/// <summary>A box by its centre (Cx, Cy), Width and Height in pixels (YOLO's format).</summary>
public readonly record struct BoxCxcywh(float Cx, float Cy, float Width, float Height)
{
    /// <summary>Width × Height.</summary>
    public float Area => Width * Height;

    /// <summary>The corner form (x1 = cx − w/2).</summary>
    public BoxXyxy ToXyxy() => BoxXyxy.FromCxcywh(Cx, Cy, Width, Height);
}
