<?xml version="1.0" encoding="utf-8"?>
<!-- Shows an RSS 2.0 or Atom feed of this site as a page when it is opened in a
     browser; feed readers ignore it. The page's styles are the site's own
     (an inline style would be refused by the Content-Security-Policy). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:media="http://search.yahoo.com/mrss/"
    exclude-result-prefixes="atom media">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="rss/channel/title | atom:feed/atom:title"/>
    <xsl:variable name="site" select="rss/channel/link | atom:feed/atom:link[@rel='alternate']/@href"/>
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <link rel="stylesheet" href="/static/css/site.css"/>
      </head>
      <body>
        <main id="main" class="wrap">
          <header class="page-header">
            <p class="notice">
              This is a <strong>web feed</strong>. Copy its address from the address bar into
              a feed reader to follow new articles as they are published.
            </p>
            <h1><xsl:value-of select="$title"/></h1>
            <p class="page-header__description">
              <xsl:value-of select="rss/channel/description | atom:feed/atom:subtitle"/>
            </p>
            <p><a href="{$site}">Read on the site</a></p>
          </header>
          <div class="card-grid">
            <xsl:apply-templates select="rss/channel/item | atom:feed/atom:entry"/>
          </div>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item | atom:entry">
    <xsl:variable name="link" select="link | atom:link[@rel='alternate']/@href"/>
    <article class="card">
      <xsl:if test="media:content">
        <a class="card__image" href="{$link}" tabindex="-1" aria-hidden="true">
          <img src="{media:content/@url}" width="{media:content/@width}"
               height="{media:content/@height}" alt="" loading="lazy"/>
        </a>
      </xsl:if>
      <h2 class="card__headline"><a href="{$link}"><xsl:value-of select="title | atom:title"/></a></h2>
      <p class="card__standfirst"><xsl:value-of select="description | atom:summary"/></p>
      <p class="card__meta"><xsl:value-of select="pubDate | atom:published"/></p>
    </article>
  </xsl:template>
</xsl:stylesheet>
