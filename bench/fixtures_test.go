package bench

import (
	"fmt"
	"strings"
)

// Every client reads the same number of items of the same size, each in its
// own API's JSON shape, so that the figures compare the clients and not the
// bodies. Items are padded (in a string field that every client decodes) to
// exactly itemSize bytes, and create answers to createSize bytes.
const (
	itemSize   = 512
	createSize = 1024

	allPages   = 100 // pages in the All case
	allPerPage = 100 // items per page in the All case

	serverID = 12345
	deleteID = 801
)

// paddingText is plain ASCII, so that no decoder takes a slow path for escapes.
const paddingText = "weekly snapshot before the system update, kept for a month; "

// pad returns the padding that brings a JSON text made by build to size
// bytes. build gets the padding to put in a string field.
func pad(size int, build func(pad string) string) string {
	short := size - len(build(""))
	if short < 0 {
		panic(fmt.Sprintf("bench: %q is over %d bytes", build(""), size))
	}
	padding := strings.Repeat(paddingText, short/len(paddingText)+1)
	out := build(padding[:short])
	if len(out) != size {
		panic(fmt.Sprintf("bench: padded to %d bytes, want %d", len(out), size))
	}
	return out
}

// shape is how one API writes its answers. The fixture server routes by
// method and path prefix, and reads the page of a list from ?page=.
type shape struct {
	listPath   string // path of the list (GET) and, where it is the same, the create (POST)
	createPath string
	deletePath string

	item    func(id int) string // one list item, itemSize bytes
	list    func(base string, items []string, page, pages, perPage, total int) string
	created func() string // the 201 answer to a create, createSize bytes
}

// answers are the prepared bodies one fixture server writes.
type answers struct {
	list    []byte   // the one page of the List case
	pages   [][]byte // pages[i] answers ?page=i+1 in the All case
	created []byte
}

// build prepares the bodies: a single page of listItems items when
// listItems > 0, otherwise the allPages pages of the All case. base is the
// server's root URL, for the next/prev links some shapes carry.
func (s shape) build(base string, listItems int) answers {
	a := answers{created: []byte(s.created())}
	if listItems > 0 {
		items := make([]string, listItems)
		for i := range items {
			items[i] = s.item(1 + i)
		}
		a.list = []byte(s.list(base, items, 1, 1, listItems, listItems))
		return a
	}
	for p := 1; p <= allPages; p++ {
		items := make([]string, allPerPage)
		for i := range items {
			items[i] = s.item((p-1)*allPerPage + 1 + i)
		}
		a.pages = append(a.pages, []byte(s.list(base, items, p, allPages, allPerPage, allPages*allPerPage)))
	}
	return a
}

// vpsorgShape is the VPS.org API as its documentation shows it, with DRF's
// next/previous links, which the real API adds.
func vpsorgShape() shape {
	return shape{
		listPath:   "/api/v1/snapshots/",
		createPath: "/api/v1/snapshots/",
		deletePath: "/api/v1/snapshots/",
		item: func(id int) string {
			return pad(itemSize, func(p string) string {
				return fmt.Sprintf(`{"id":%d,"server":{"id":%d,"name":"web-server-01"},"name":"snapshot-%06d",`+
					`"status":"completed","size_mb":5120,"created_at":"2025-01-15T18:30:00Z","description":"%s"}`,
					id, serverID, id, p)
			})
		},
		list: func(base string, items []string, page, pages, perPage, total int) string {
			link := func(p int) string {
				if p < 1 || p > pages {
					return "null"
				}
				return fmt.Sprintf(`"%s/api/v1/snapshots/?page=%d&page_size=%d"`, base, p, perPage)
			}
			return fmt.Sprintf(`{"count":%d,"next":%s,"previous":%s,"results":[%s]}`,
				total, link(page+1), link(page-1), strings.Join(items, ","))
		},
		created: func() string {
			return pad(createSize, func(p string) string {
				return fmt.Sprintf(`{"id":802,"server":{"id":%d,"name":"web-server-01"},"name":"before-update-snapshot",`+
					`"status":"in_progress","size_mb":null,"created_at":"2025-01-16T16:15:00Z","description":"%s",`+
					`"message":"Snapshot is being created. This may take 3-10 minutes depending on server size."}`, serverID, p)
			})
		},
	}
}

// godoShape is DigitalOcean's: /v2/snapshots with links and meta, and a
// volume snapshot created under /v2/volumes/{id}/snapshots. Its snapshot
// has no description, so the padding goes into the name.
func godoShape() shape {
	return shape{
		listPath:   "/v2/snapshots",
		createPath: "/v2/volumes/",
		deletePath: "/v2/snapshots/",
		item: func(id int) string {
			return pad(itemSize, func(p string) string {
				return fmt.Sprintf(`{"id":"%d","name":"snapshot-%06d %s","resource_id":"%d","resource_type":"droplet",`+
					`"regions":["nyc3"],"min_disk_size":25,"size_gigabytes":5,"created_at":"2025-01-15T18:30:00Z","tags":["web"]}`,
					id, id, p, serverID)
			})
		},
		list: func(base string, items []string, page, pages, perPage, total int) string {
			var links []string
			link := func(rel string, p int) {
				if p >= 1 && p <= pages && p != page {
					links = append(links, fmt.Sprintf(`"%s":"%s/v2/snapshots?page=%d&per_page=%d"`, rel, base, p, perPage))
				}
			}
			link("first", 1)
			link("prev", page-1)
			link("next", page+1)
			link("last", pages)
			return fmt.Sprintf(`{"snapshots":[%s],"links":{"pages":{%s}},"meta":{"total":%d}}`,
				strings.Join(items, ","), strings.Join(links, ","), total)
		},
		created: func() string {
			return pad(createSize, func(p string) string {
				return fmt.Sprintf(`{"snapshot":{"id":"802","name":"before-update-snapshot %s","resource_id":"%d",`+
					`"resource_type":"volume","regions":["nyc3"],"min_disk_size":25,"size_gigabytes":0,`+
					`"created_at":"2025-01-16T16:15:00Z","tags":["web"]}}`, p, serverID)
			})
		},
	}
}

// hcloudShape is Hetzner Cloud's: /v1/images with meta.pagination, and an
// image (with its action) created by POST /v1/servers/{id}/actions/create_image.
func hcloudShape() shape {
	return shape{
		listPath:   "/v1/images",
		createPath: "/v1/servers/",
		deletePath: "/v1/images/",
		item: func(id int) string {
			return pad(itemSize, func(p string) string {
				return fmt.Sprintf(`{"id":%d,"status":"available","type":"snapshot","name":null,"description":"snapshot-%06d %s",`+
					`"image_size":5,"disk_size":25,"created":"2025-01-15T18:30:00Z","created_from":{"id":%d,"name":"web-server-01"},`+
					`"bound_to":null,"os_flavor":"ubuntu","os_version":null,"architecture":"x86","rapid_deploy":false,`+
					`"protection":{"delete":false},"deleted":null,"labels":{},"deprecated":null}`, id, id, p, serverID)
			})
		},
		list: func(_ string, items []string, page, pages, perPage, total int) string {
			num := func(p int) string {
				if p < 1 || p > pages {
					return "null"
				}
				return fmt.Sprint(p)
			}
			return fmt.Sprintf(`{"images":[%s],"meta":{"pagination":{"page":%d,"per_page":%d,"previous_page":%s,`+
				`"next_page":%s,"last_page":%d,"total_entries":%d}}}`,
				strings.Join(items, ","), page, perPage, num(page-1), num(page+1), pages, total)
		},
		created: func() string {
			return pad(createSize, func(p string) string {
				return fmt.Sprintf(`{"action":{"id":13,"status":"running","command":"create_image","progress":0,`+
					`"started":"2025-01-16T16:15:00Z","finished":null,"error":null,"resources":[{"id":%d,"type":"server"}]},`+
					`"image":{"id":802,"status":"creating","type":"snapshot","name":null,"description":"%s",`+
					`"image_size":null,"disk_size":25,"created":"2025-01-16T16:15:00Z","created_from":{"id":%d,"name":"web-server-01"},`+
					`"bound_to":null,"os_flavor":"ubuntu","os_version":null,"architecture":"x86","rapid_deploy":false,`+
					`"protection":{"delete":false},"deleted":null,"labels":{},"deprecated":null}}`, serverID, p, serverID)
			})
		},
	}
}
